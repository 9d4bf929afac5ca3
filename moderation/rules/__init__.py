"""Text rules: crisis and personal-data detection. Pure functions of a text: no Flask, no
database."""
