"""Demo content for `flask forum seed-demo`: French boards, charters and member stories."""

# ruff: noqa: E501  (prose: one Markdown paragraph per line, long lines are intended)

from __future__ import annotations

# Fictional members. Each one has a consistent life across boards (see the comments),
# and a slightly different French voice: France, Belgique, Suisse, Québec.
DEMO_MEMBERS = [
    "Colibri",  # lost her mother in March; her partner lives with schizophrenia
    "MarcheLente",  # widow, heart attack a year ago, walks slowly around the lake
    "Lucioles",  # depression, a crisis last year (told in the past), learning to say no at work
    "PetitPas",  # young Parisian, panic attacks, just came out to his parents
    "Bruine",  # from Lille, depression, started a treatment three weeks ago
    "Marmotte73",  # maths teacher in Savoie, burn-out then depression, back to work
    "TheiereBleue",  # from Lausanne, widow for eight months, Swiss expressions
    "Ecureuil_QC",  # from Québec, sports betting, québécois expressions
    "Sarcelle",  # from Liège, her younger brother has schizophrenia
    "Galet",  # from Brittany, lost his brother to suicide, type 2 diabetes, laid off once
    "RenardGris",  # ten years sober, a daughter with bipolar disorder
    "Noisette",  # binge eating, phone phobia
    "Mistral",  # from Marseille, alcohol relapse, laid off at 54
    "Aubepine",  # social anxiety, recovering from anorexia, lesbian
    "Oursonne",  # from Namur, after breast cancer chemotherapy, married to a woman
    "Tournesol",  # non-binary (iel), type 1 diabetes, a mother with bipolar disorder
]

THEMES = {
    "emotions": "Émotions et épreuves de la vie",
    "addictions": "Addictions",
    "sante": "Santé et maladies au long cours",
    "proches": "Familles et proches",
    "travail": "Travail et emploi",
    "lgbtq": "Personnes LGBTQ+",
}

BOARDS = [
    # ------------------------------------------------------------------ deuil
    {
        "slug": "deuil",
        "name": "Deuil",
        "theme": "emotions",
        "description": "Pour parler de la perte d'un proche, du manque et de tout ce qui vient avec : la tristesse, la colère, la culpabilité, les premières fois sans l'autre.",
        "members_only": False,
        "position": 1,
        "charter": """## Charte du groupe « Deuil »

Ici, on parle de celles et ceux qui nous manquent, à notre rythme et avec nos mots.

- **Je parle en « je »** : je raconte mon deuil à moi. Chaque deuil a son chemin et son calendrier, il n'y a pas de « bonne » façon de le vivre.
- **Pas de jugement** : ni sur les larmes, ni sur les rires, ni sur le temps que cela prend.
- **Confidentialité** : ce qui se dit ici reste ici. Je ne reprends pas l'histoire d'un autre membre ailleurs, même sans son pseudonyme.
- **Discrétion** : je ne donne ni nom, ni lieu, ni détail qui permettrait de reconnaître quelqu'un, vivant ou disparu.
- **Avertissement de contenu** : si j'évoque les circonstances d'un décès (suicide, accident, maladie), j'ajoute un avertissement à mon message.
- **Pas de conseils médicaux** : je partage ce qui m'a aidé, sans prescrire.
- Ce forum est un lieu d'entraide entre pairs, **pas un lieu de soin professionnel**. Les modérateurs sont des membres bénévoles.

**En cas de crise** : si des idées de suicide vous traversent, appelez le **3114** (France, 24 h/24, gratuit), SOS Amitié au **09 72 39 40 50**, La Main Tendue au **143** (Suisse), le **0800 32 123** (Belgique) ou le **1 866 APPELLE** (Québec). En cas de danger immédiat : le **112** (le **911** en Amérique du Nord).""",
        "threads": [
            {
                "title": "Premier Noël sans maman",
                "author": "Colibri",
                "content_warning": None,
                "body": """Maman est partie en mars. Je croyais avoir « tenu le coup » jusqu'ici, et puis les vitrines de Noël sont arrivées et je me suis effondrée devant un rayon de boules en verre. Elle adorait ça, les boules en verre soufflé : elle en achetait une nouvelle chaque année.

Ma sœur veut faire Noël « comme d'habitude », chez elle, avec les enfants. Je comprends, les petits n'y sont pour rien. Mais moi, je ne sais pas si je peux m'asseoir à une table où sa chaise sera vide et faire semblant que tout va bien.

Je ne demande pas vraiment de solution. Je voulais juste savoir comment vous avez traversé ce premier Noël, celles et ceux qui sont passés par là. Est-ce qu'on a le droit de ne pas y aller ?""",
                "replies": [
                    {
                        "author": "Sarcelle",
                        "body": """Le premier Noël sans mon papa, c'était il y a trois ans. On a fait le réveillon quand même, mais on a mis une bougie à sa place, et chacun a raconté un souvenir de lui avant le dessert. J'avais peur que ce soit lugubre : on a ri et pleuré, les deux à la fois. Mon neveu a raconté la fois où papa s'était endormi dans le fauteuil avec son chapeau en papier sur le nez…

Tout ça pour dire : pour moi, lui faire une petite place à table a aidé. Mais c'est *mon* histoire, hein. Prends bien soin de toi, Colibri.""",
                        "replies": [
                            {
                                "author": "Colibri",
                                "body": """Merci Sarcelle. L'idée du souvenir avant le dessert me touche beaucoup. Je crois que je vais proposer à ma sœur d'accrocher une des boules de maman dans le sapin. Une seule. Ça, ça me paraît faisable.""",
                                "replies": [],
                            },
                        ],
                    },
                    {
                        "author": "Noisette",
                        "body": """Moi, la première année, j'ai fui. Je suis partie seule trois jours au bord de la mer, j'ai marché dans le vent, mangé des huîtres toute seule le 24 au soir et pleuré tout mon soûl sans avoir à faire bonne figure devant qui que ce soit.

Sur le moment, je me suis sentie un peu lâche vis-à-vis de ma famille. Avec le recul, je crois que c'était exactement ce dont j'avais besoin. L'année suivante, j'étais à table avec eux. Tu as le droit de choisir ce qui est supportable pour toi *cette* année.""",
                        "replies": [],
                    },
                ],
            },
            {
                "title": "Deux ans après le suicide de mon frère",
                "author": "Galet",
                "content_warning": "évocation du suicide d'un proche",
                "body": """Ça fait deux ans jeudi. Je n'écris pas souvent, mais ce soir j'ai besoin de le poser quelque part.

Ce qui me reste, ce n'est plus tellement la tristesse brute des premiers mois. Ce sont les questions. Pourquoi je n'ai rien vu. Pourquoi je n'ai pas rappelé ce dimanche-là. Au groupe, on m'a dit que presque toutes les personnes endeuillées par un suicide se posent ces questions-là, et ça m'a un peu soulagé de savoir que je ne suis pas le seul à tourner en rond.

Et puis il y a un truc bizarre : samedi, au repas d'anniversaire d'un copain, j'ai ri. Vraiment ri, à en avoir mal au ventre. En rentrant, je m'en suis voulu, comme si je le trahissais.

Est-ce que ça vous arrive, à vous, de vous sentir coupable d'aller un peu mieux ?""",
                "replies": [
                    {
                        "author": "MarcheLente",
                        "body": """Oh oui, Galet. Après la mort de mon mari, la première fois que j'ai ri, c'était devant une émission idiote à la télévision, et j'ai éteint aussitôt, honteuse.

Quelqu'un du groupe m'a dit un jour : « Tu ne l'aimes pas moins quand tu ris. Tu continues à vivre, et il en fait partie. » Je me répète souvent cette phrase. Je t'envoie beaucoup de douceur pour jeudi.""",
                        "replies": [],
                    },
                    {
                        "author": "Aubepine",
                        "body": """Je n'ai pas vécu la même chose, mais ma meilleure amie a perdu sa sœur de cette façon. Ce qui l'a aidée, c'est un groupe de parole spécialement pour les personnes endeuillées par suicide : elle disait que là-bas, elle n'avait pas besoin d'expliquer la culpabilité, tout le monde comprenait d'un regard. Si ça peut te faire une piste en plus de la nôtre.""",
                        "replies": [
                            {
                                "author": "Galet",
                                "body": """Merci à vous deux. Je ne savais pas que ça existait, des groupes comme ça, je vais me renseigner. Et MarcheLente, ta phrase, je l'ai recopiée sur un papier que je garde dans mon portefeuille.""",
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
            {
                "title": "Ses habits sont toujours dans l'armoire",
                "author": "TheiereBleue",
                "content_warning": None,
                "body": """Adieu à toutes et à tous. Mon mari est décédé il y a huit mois, d'un cancer qui a été très rapide. Ses habits sont toujours dans l'armoire de la chambre. Ses souliers de marche sont encore au corridor, à côté des miens.

Mes enfants, avec toute leur gentillesse, commencent à me dire qu'il faudrait « trier », que ça me ferait du bien, qu'il y a une association qui récupère les vêtements. Ils ont sûrement raison. Mais chaque fois que j'ouvre cette armoire, je la referme aussitôt. Il y a encore son odeur sur le pull bleu.

Je me sens un peu bête de bloquer sur une armoire, alors que j'ai réussi à faire toute la paperasse : l'AVS, la banque, les assurances. Comment avez-vous fait, vous ? Est-ce qu'il y a un « bon moment » ?""",
                "replies": [
                    {
                        "author": "Colibri",
                        "body": """Pour maman, on a tout vidé en trois semaines parce que le bail se terminait, et je le regrette un peu : j'ai l'impression d'avoir donné des choses trop vite.

Alors je ne crois pas qu'il y ait un bon moment imposé de l'extérieur. Huit mois, c'est tout près. Et vous n'êtes pas bête du tout : la paperasse, c'est de l'administratif ; l'armoire, c'est lui.""",
                        "replies": [],
                    },
                    {
                        "author": "Mistral",
                        "body": """Ma mère a gardé la veste de mon père accrochée à l'entrée pendant des années. Personne n'osait y toucher. Et un jour, elle l'a donnée elle-même, d'un coup, sans que personne lui demande rien. Elle a juste dit : « C'est bon, maintenant. »

Peut-être que ce sera pareil pour vous. En attendant, gardez le pull bleu, hein. Celui-là, personne ne vous oblige.""",
                        "replies": [
                            {
                                "author": "TheiereBleue",
                                "body": """Merci à vous deux. J'ai dit à mes enfants qu'on en reparlerait au printemps, et ça m'a enlevé un poids de le dire tout haut. Le pull bleu, lui, reste. Il n'y a pas le feu au lac.""",
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
        ],
    },
    # ------------------------------------------------------------- depression
    {
        "slug": "depression",
        "name": "Dépression",
        "theme": "emotions",
        "description": "Pour celles et ceux qui traversent une dépression : les jours sans, les petits pas, les traitements qui prennent du temps et ce qui aide un peu.",
        "members_only": False,
        "position": 2,
        "charter": """## Charte du groupe « Dépression »

Ici, personne ne vous dira de « vous secouer ». On avance à petits pas, et chaque pas compte.

- **Je parle en « je »** : je partage mon vécu, mes jours gris et mes petites victoires, sans donner de leçon.
- **Pas de jugement** : rester au lit, ne pas répondre aux messages, pleurer sans raison, tout cela peut se dire ici.
- **Confidentialité** : ce qui se dit ici reste ici.
- **Pas de conseils médicaux** : je ne dis jamais à quelqu'un de commencer, d'arrêter ou de modifier un traitement. Je peux raconter mon expérience et encourager à en parler à son médecin.
- **Avertissement de contenu** : si j'évoque des idées noires, même passées, j'ajoute un avertissement et je ne décris aucun moyen.
- **On célèbre les petites victoires** : une douche, un repas, une sortie, ça compte.
- Ce forum est un lieu d'entraide entre pairs, **pas un lieu de soin professionnel** ni un service d'urgence.

**Si ça ne va pas du tout** : appelez le **3114** (numéro national de prévention du suicide, 24 h/24), SOS Amitié au **09 72 39 40 50**, La Main Tendue au **143** (Suisse), le **0800 32 123** (Belgique) ou le **1 866 APPELLE** (Québec). En cas de danger immédiat : le **112** (le **911** en Amérique du Nord).""",
        "threads": [
            {
                "title": "Petite victoire : douche ET lessive le même jour",
                "author": "Marmotte73",
                "content_warning": None,
                "body": """Je sais que pour beaucoup de gens, ça ne veut rien dire. Mais ici, je sais que vous allez comprendre.

Aujourd'hui :
- je me suis levé avant 10 h ;
- j'ai pris une douche (avec shampoing, s'il vous plaît) ;
- j'ai lancé une machine **et** je l'ai étendue. Le même jour. Sans la laisser moisir dans le tambour jusqu'au lendemain.

Il y a deux mois, je ne sortais pas du canapé. Alors je m'autorise à être fier comme un pape d'une lessive. Ma psy m'a proposé de noter chaque soir une chose faite, même minuscule. Ce soir, j'en ai trois.

Et vous, c'est quoi votre victoire de la semaine ?""",
                "replies": [
                    {
                        "author": "Ecureuil_QC",
                        "body": """Bravo, l'ami ! Moi, ma victoire de la semaine, c'est la vaisselle. Elle s'empilait depuis dix jours, j'avais honte d'ouvrir la porte à qui que ce soit. Hier, j'ai mis une toune que j'aime, pis je l'ai toute faite. Une heure et demie avec des pauses, mais c'est fait.""",
                        "replies": [
                            {
                                "author": "Marmotte73",
                                "body": """Dix jours de vaisselle, c'est du niveau expert, ça. Respect. Je retiens l'idée de la musique, ça rend la corvée moins sinistre.""",
                                "replies": [],
                            },
                        ],
                    },
                    {
                        "author": "Bruine",
                        "body": """Ça me fait tellement de bien de lire ça. Ma victoire à moi : j'ai répondu à un message de ma sœur au lieu de le laisser en « vu » pendant une semaine. C'était trois lignes. Mais trois lignes quand même.""",
                        "replies": [],
                    },
                ],
            },
            {
                "title": "Trois semaines de traitement et je ne sens rien : c'est normal ?",
                "author": "Bruine",
                "content_warning": None,
                "body": """Bonjour à tous. Mon médecin m'a prescrit un antidépresseur il y a trois semaines. Je le prends tous les matins, sagement, avec mon café. Et pour l'instant… rien. Enfin si : un peu de nausée les premiers jours et des nuits bizarres. Mais le brouillard est toujours là, et la fatigue aussi.

Je sais qu'on ne donne pas de conseils médicaux ici, et je ne cherche pas à ce qu'on me dise quoi faire avec mon traitement. C'est plutôt que je commence à me dire « même ça, ça ne marche pas sur moi », et que cette pensée-là me fait peur.

Est-ce que certains d'entre vous ont connu ce temps d'attente ? Comment l'avez-vous traversé ?""",
                "replies": [
                    {
                        "author": "Lucioles",
                        "body": """Je ne suis pas médecin, je ne peux parler que de mon vécu. Pour moi, les premières semaines ont été exactement comme tu les décris, et c'est bien plus tard que j'ai remarqué que je me levais un peu plus facilement. Pas de miracle, juste un peu moins de poids sur les épaules.

Ce qui m'a aidée pendant l'attente, c'est d'en parler franchement à ma médecin à chaque rendez-vous, y compris de la pensée « rien ne marche sur moi ». Elle l'a prise au sérieux, et ça m'a rassurée.""",
                        "replies": [
                            {
                                "author": "Bruine",
                                "body": """Merci Lucioles. J'ai rendez-vous la semaine prochaine, je vais lui dire exactement ça, avec mes mots. Je me suis même noté la phrase dans mon téléphone pour ne pas me dégonfler.""",
                                "replies": [],
                            },
                        ],
                    },
                    {
                        "author": "Marmotte73",
                        "body": """Chez moi, le premier traitement ne m'a pas convenu, et on en a changé avec mon médecin au bout de quelques semaines. Le deuxième m'a mieux réussi.

Je le dis juste pour que tu saches que « celui-là ne me convient pas » ne veut pas dire « rien ne marchera jamais pour moi ». Ce sont deux phrases très différentes, même si la dépression adore les confondre.""",
                        "replies": [],
                    },
                ],
            },
            {
                "title": "Il y a un an, je ne voulais plus être là",
                "author": "Lucioles",
                "content_warning": "évocation d'idées suicidaires (passées)",
                "body": """J'hésite depuis plusieurs jours à écrire ce message. Mais je me dis qu'il y a peut-être quelqu'un qui lit en silence, comme je l'ai fait longtemps.

Il y a un an, en novembre, je ne voulais plus être là. Je ne vais pas entrer dans les détails. Un soir, j'ai appelé le 3114. Je ne savais même pas quoi dire, j'ai juste dit : « Je crois que ça ne va pas du tout. » La personne au bout du fil est restée avec moi longtemps. Le lendemain, je suis allée voir ma médecin, et il y a eu quelques semaines d'hospitalisation.

Aujourd'hui, ça ne va pas « parfaitement ». J'ai encore des jours gris. Mais ce week-end, j'ai acheté des bulbes de tulipes, pour le printemps. Il y a un an, je n'aurais pas pu imaginer penser au printemps.

Voilà. Je voulais juste le dire quelque part où on comprend.""",
                "replies": [
                    {
                        "author": "Oursonne",
                        "body": """Merci pour ton courage, Lucioles. Tu as raison de penser à ceux qui lisent sans écrire : j'en ai fait partie pendant des mois, et ce sont des messages comme le tien qui m'ont donné envie de rester.

Et tu nous décriras les tulipes en avril, hein ? Puisqu'on n'a pas de photos, ici, on compte sur toi pour les détails.""",
                        "replies": [
                            {
                                "author": "Lucioles",
                                "body": """Promis, vous aurez un compte rendu complet. Rouges et jaunes, normalement. Si les écureuils ne déterrent pas les bulbes avant.""",
                                "replies": [
                                    {
                                        "author": "Ecureuil_QC",
                                        "body": """Je jure solennellement que je n'y suis pour rien.""",
                                        "replies": [],
                                    },
                                ],
                            },
                        ],
                    },
                ],
            },
        ],
    },
    # ---------------------------------------------------------------- anxiete
    {
        "slug": "anxiete",
        "name": "Anxiété",
        "theme": "emotions",
        "description": "Crises d'angoisse, anxiété généralisée, phobies, anxiété sociale : un endroit pour en parler sans qu'on vous demande de « vous calmer ».",
        "members_only": False,
        "position": 3,
        "charter": """## Charte du groupe « Anxiété »

Ici, on sait que « détends-toi » n'a jamais détendu personne.

- **Je parle en « je »** : je raconte ce que je vis et ce qui marche *pour moi*, sans en faire une règle pour les autres.
- **Pas de jugement** : aucune peur n'est ridicule ici, même celle du téléphone ou de la boulangerie.
- **Confidentialité** : ce qui se dit ici reste ici.
- **Astuces bienvenues** : respiration, ancrage, petites stratégies du quotidien, partagées comme des expériences, pas comme des ordres.
- **Pas de conseils médicaux** : je ne recommande ni ne déconseille aucun médicament ; ces questions se posent à son médecin.
- **On respecte le rythme de chacun** : personne n'est obligé de répondre, ni de « s'exposer » plus vite qu'il ne le souhaite.
- Ce forum est un lieu d'entraide entre pairs, **pas un lieu de soin professionnel**.

**En cas de détresse** : le **3114** (France, 24 h/24), SOS Amitié au **09 72 39 40 50**, La Main Tendue au **143** (Suisse), le **0800 32 123** (Belgique), le **1 866 APPELLE** (Québec). En cas de danger immédiat : le **112** (le **911** en Amérique du Nord).""",
        "threads": [
            {
                "title": "Crise de panique dans le métro, hier matin",
                "author": "PetitPas",
                "content_warning": None,
                "body": """Hier, ligne 13, heure de pointe, le métro s'arrête entre deux stations. « Régulation du trafic. » Rien de grave, trois minutes peut-être. Sauf que mon cœur s'est mis à cogner comme un fou, j'avais des fourmis dans les mains, l'impression que l'air ne passait plus et la certitude absolue que j'allais m'évanouir devant tout le monde.

Je ne me suis pas évanoui. Le métro est reparti, je suis descendu à la station suivante et je suis resté assis sur un banc pendant vingt minutes. Je suis arrivé au boulot en retard, avec une tête de déterré.

Le pire, c'est que je connais la théorie : je sais que ce n'est pas dangereux, que ça finit par passer. Mais sur le moment, la théorie s'envole. Vous avez des trucs concrets qui marchent pour vous, *pendant* la crise ?""",
                "replies": [
                    {
                        "author": "Ecureuil_QC",
                        "body": """Ah, le métro bloqué dans le tunnel… À Montréal, sur la ligne orange, j'ai vécu exactement ça.

Mon truc à moi, c'est le 5-4-3-2-1 : je nomme dans ma tête cinq choses que je vois, quatre que je peux toucher, trois que j'entends, deux que je sens, une que je goûte. Ça m'oblige à revenir dans le wagon au lieu de rester coincé dans ma tête. Ça n'arrête pas tout, mais ça raccourcit pas mal.""",
                        "replies": [],
                    },
                    {
                        "author": "Aubepine",
                        "body": """Moi, j'ai un petit caillou lisse dans la poche de mon manteau. Quand ça monte, je le serre et je me concentre sur sa forme, sa température, ses petites aspérités. Ça a l'air bête, dit comme ça.

Et j'essaie de souffler plus longtemps que j'inspire : inspirer en comptant jusqu'à quatre, expirer jusqu'à six ou sept. Pour moi, c'est l'expiration qui calme.""",
                        "replies": [
                            {
                                "author": "PetitPas",
                                "body": """Le caillou, j'adore. J'ai ramassé un galet cet été à la plage, il traîne sur mon bureau : il déménage dans ma poche dès demain. Merci à vous deux, je me sens déjà moins ridicule.""",
                                "replies": [
                                    {
                                        "author": "Galet",
                                        "body": """Je confirme : les galets, c'est très efficace. Aucun conflit d'intérêts, évidemment.""",
                                        "replies": [],
                                    },
                                ],
                            },
                        ],
                    },
                ],
            },
            {
                "title": "Téléphoner me paralyse",
                "author": "Noisette",
                "content_warning": None,
                "body": """Je dois appeler le secrétariat du dentiste pour décaler un rendez-vous. Ça fait onze jours que le post-it est collé sur mon écran. Onze jours. Pour un appel qui durera une minute trente.

Je ne sais pas trop expliquer ce qui se passe : j'imagine que je vais bafouiller, que la personne va être agacée, que je ne vais pas comprendre ce qu'elle me dit, qu'il va y avoir un grand blanc. Alors je repousse, et plus je repousse, plus ça devient une montagne. Et je me sens ridicule, à mon âge.

Est-ce que je suis la seule ? Comment vous faites, vous, avec les appels administratifs ?""",
                "replies": [
                    {
                        "author": "TheiereBleue",
                        "body": """Vous n'êtes pas la seule, loin de là. Moi, j'écris mon texte sur un papier avant d'appeler, mot pour mot : « Bonjour, je m'appelle…, j'ai un rendez-vous le… et je souhaiterais le déplacer. » Même la phrase de fin.

Et j'appelle à une heure précise que je me fixe, pas « tout à l'heure ». Après, je me récompense avec un carré de chocolat. Suisse, évidemment.""",
                        "replies": [],
                    },
                    {
                        "author": "Marmotte73",
                        "body": """Onze jours, c'est rien : j'ai déjà tenu un mois et demi pour résilier un abonnement. Un truc qui m'aide, c'est de vérifier d'abord s'il existe une prise de rendez-vous en ligne ou une adresse mail. Ce n'est pas de la triche, c'est de la stratégie.""",
                        "replies": [
                            {
                                "author": "Noisette",
                                "body": """Mise à jour : j'ai appelé ! Avec le papier de TheiereBleue sous les yeux. La secrétaire était adorable, ça a duré une minute. J'ai mangé le carré de chocolat (français, désolée).""",
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
            {
                "title": "J'ai parlé à la réunion !",
                "author": "Aubepine",
                "content_warning": None,
                "body": """Ça fait quatre mois que je viens aux réunions sans rien dire. Je m'assois près de la porte, j'écoute, je hoche la tête, et je rentre chez moi avec tout ce que j'aurais voulu dire coincé dans la gorge.

Hier, quand la parole est arrivée jusqu'à moi, au lieu de dire « je passe », j'ai dit trois phrases. Ma voix tremblait, j'avais les joues en feu, et je crois que j'ai regardé mes chaussures du début à la fin. Mais je les ai dites. Personne n'a ri, personne n'a soupiré. Quelqu'un m'a juste dit « merci » à la fin.

Je suis rentrée en pleurant dans le bus. Mais des larmes du bon côté, pour une fois.""",
                "replies": [
                    {
                        "author": "PetitPas",
                        "body": """Trois phrases avec les joues en feu, c'est un exploit. Sincèrement. Je sais ce que ça coûte, parce que moi aussi, j'ai « passé » pendant des semaines. Bravo, Aubepine.""",
                        "replies": [],
                    },
                    {
                        "author": "Sarcelle",
                        "body": """« Des larmes du bon côté », c'est joli, ça. La première fois que j'ai parlé en groupe, j'ai parlé tellement vite que personne n'a rien compris et qu'on m'a demandé de répéter. La deuxième fois, c'était plus facile. La troisième aussi. Savoure bien, hein.""",
                        "replies": [
                            {
                                "author": "Aubepine",
                                "body": """Ça me fait du bien de savoir que tu as eu peur, toi aussi. La prochaine fois, je tente peut-être quatre phrases.""",
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
        ],
    },
    # ------------------------------------------------------------- addictions
    {
        "slug": "addictions",
        "name": "Addictions",
        "theme": "addictions",
        "description": "Alcool, drogues, jeux d'argent… Pour parler de sa consommation, de l'arrêt ou de la réduction, des rechutes et des victoires, sans honte.",
        "members_only": False,
        "position": 4,
        "charter": """## Charte du groupe « Addictions »

Ici, on parle d'alcool, de drogues, de jeux d'argent, et de tout ce qui nous tient plus fort qu'on ne voudrait.

- **Je parle en « je »** : je raconte mon parcours, qu'il passe par l'abstinence ou par la réduction. Tous les chemins sont respectés.
- **Pas de jugement** : une rechute n'est pas un échec moral. Elle peut se dire ici sans honte.
- **Confidentialité** : ce qui se dit ici reste ici. Je ne cite personne ailleurs.
- **Pas d'incitation** : je ne décris pas en détail mes consommations, je n'indique ni où ni comment se procurer un produit, je ne partage pas de « bons plans » de jeux.
- **Pas de conseils médicaux** : le sevrage, notamment de l'alcool, peut être dangereux ; ces questions se posent à un médecin ou à un centre spécialisé.
- **On célèbre chaque jour gagné**, le premier comme le trois-millième.
- Ce forum est un lieu d'entraide entre pairs, **pas un lieu de soin professionnel**. En France, Alcool Info Service, Drogues Info Service et Joueurs Info Service répondent aussi, anonymement.

**En cas de crise** : le **3114** (France, 24 h/24), SOS Amitié au **09 72 39 40 50**, La Main Tendue au **143** (Suisse), le **0800 32 123** (Belgique), le **1 866 APPELLE** (Québec). En cas de danger immédiat : le **112** (le **911** en Amérique du Nord).""",
        "threads": [
            {
                "title": "Rechute après 8 mois sans alcool",
                "author": "Mistral",
                "content_warning": None,
                "body": """Bon. Je l'écris ici parce que si je ne l'écris pas, je vais faire semblant que ce n'est pas arrivé.

Huit mois et douze jours sans une goutte. Depuis qu'on a appris que l'entreprise allait licencier, je tenais avec les dents. Et samedi, au mariage de mon cousin, j'ai bu. D'abord une coupe « pour trinquer », et puis vous connaissez la suite mieux que moi. Ça a duré trois jours. Ce matin, je me suis réveillé avec la honte plus lourde que la gueule de bois.

Le pire, c'est la petite voix qui me dit : « Tu vois, huit mois pour rien, t'es qu'un fada, autant continuer. » Je sais que c'est la maladie qui parle. Mais elle parle fort.

Je n'ai pas bu aujourd'hui. J'ai rappelé mon parrain, et je viens à la réunion jeudi. Je voulais juste vous le dire, à vous.""",
                "replies": [
                    {
                        "author": "RenardGris",
                        "body": """Mistral, huit mois, ce n'est pas « pour rien ». Ce sont huit mois où tu as vécu sobre, où ton corps s'est reposé, où tu as appris des choses sur toi. Une rechute ne les efface pas.

J'ai rechuté deux fois avant d'arriver là où j'en suis. Et à chaque fois, le plus dur, c'était exactement ce que tu fais aujourd'hui : le dire. Tu l'as fait. Et tu as rappelé ton parrain. C'est énorme.""",
                        "replies": [
                            {
                                "author": "Mistral",
                                "body": """Merci, l'ami. Deux fois, toi aussi ? Ça me fait du bien de le lire, tu peux pas savoir. Je repars de zéro demain matin, avec un peu moins de honte sur le dos.""",
                                "replies": [],
                            },
                        ],
                    },
                    {
                        "author": "Ecureuil_QC",
                        "body": """Pour le jeu, c'est pareil : j'ai rechuté après cinq mois, l'an passé. Ce qui m'a aidé, c'est de regarder ce qui s'était passé comme une information, pas comme un verdict. Chez toi : le mariage, la pression, le stress de la job. Astheure, tu connais une situation à risque de plus, pis tu pourras te préparer la prochaine fois. Lâche pas.""",
                        "replies": [],
                    },
                ],
            },
            {
                "title": "J'ai demandé mon auto-exclusion des sites de paris",
                "author": "Ecureuil_QC",
                "content_warning": None,
                "body": """Salut la gang. Ça fait longtemps que je vous lis sans écrire.

Les paris sportifs en ligne, ça a commencé « pour le fun » avec des chums, pendant les séries de hockey. Trois ans plus tard, j'avais vidé mon compte d'épargne pis emprunté de l'argent à mon frère en lui racontant une histoire de char à réparer. Ma blonde ne sait pas encore tout.

Cette semaine, j'ai fait deux affaires :
1. j'ai demandé l'auto-exclusion sur les sites où je jouais, pour un an ;
2. j'ai installé un bloqueur sur mon téléphone, et c'est mon frère qui a le mot de passe (je lui ai dit la vérité, du coup).

Je me sens soulagé, pis en même temps, j'ai l'impression qu'on m'a arraché quelque chose. C'est-tu normal, ça, de s'ennuyer de ce qui nous détruisait ?""",
                "replies": [
                    {
                        "author": "Mistral",
                        "body": """Complètement normal, je crois. Quand j'ai arrêté de boire, l'alcool me manquait comme un vieux copain toxique : tu sais qu'il te fait du mal, mais c'était *ton* copain. Ça s'apaise avec le temps, même si ça revient parfois frapper à la porte.

Et chapeau pour le mot de passe chez ton frère. C'est malin, et il en faut, du courage, pour mettre quelqu'un dans la confidence.""",
                        "replies": [],
                    },
                    {
                        "author": "RenardGris",
                        "body": """Le manque, c'est aussi le manque de l'excitation, de l'attente du résultat. Il m'a fallu trouver autre chose qui me fasse battre le cœur : la course à pied d'abord, et plus tard le jardin, pour le côté attente.

Pour ta blonde, je ne te dirai pas quoi faire. Je peux seulement te dire que chez moi, le jour où il n'y a plus eu de secret, j'ai mieux dormi.""",
                        "replies": [
                            {
                                "author": "Ecureuil_QC",
                                "body": """Le jardin pour l'attente, j'y avais jamais pensé de même. Attendre des tomates au lieu d'attendre la fin d'un match… Ma blonde jardine, justement. Ça pourrait être une porte pour lui parler.""",
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
            {
                "title": "Dix ans aujourd'hui",
                "author": "RenardGris",
                "content_warning": None,
                "body": """Dix ans aujourd'hui que je n'ai pas bu une goutte d'alcool.

Je ne l'écris pas pour qu'on m'applaudisse (bon, un peu quand même). Je l'écris pour celui que j'étais il y a dix ans, qui cachait des bouteilles dans le garage et pensait que sa vie était finie à quarante-huit ans. Et pour ceux qui en sont au jour 1, au jour 3, au jour 40.

Ce que ces dix ans m'ont appris, en vrac :
- on ne gagne pas une fois pour toutes, on gagne *aujourd'hui* ;
- les rechutes font partie du chemin de beaucoup d'entre nous, moi le premier ;
- le groupe m'a sauvé la mise plus d'une fois, simplement en étant là, chaque semaine.

Ce soir, ma fille m'a apporté un gâteau avec un « 10 » en bougies. J'ai pleuré comme un gamin.""",
                "replies": [
                    {
                        "author": "Oursonne",
                        "body": """Dix ans ! Chapeau bas, RenardGris. L'alcool, ce n'est pas mon combat, mais tes trois phrases en vrac, je les garde pour ma maladie à moi. « On gagne aujourd'hui », ça marche aussi pour la fatigue.""",
                        "replies": [],
                    },
                    {
                        "author": "Mistral",
                        "body": """Moi, j'en suis au jour 4 (encore), et ton message tombe pile au bon moment. Dix ans, ça me paraît une montagne. Mais aujourd'hui, ça, je peux.""",
                        "replies": [
                            {
                                "author": "RenardGris",
                                "body": """Aujourd'hui, c'est tout ce qu'il faut. Quatre jours, c'est quatre jours de plus que lundi. On se voit jeudi, je t'offre un café. Sans gâteau : ma fille l'a fini.""",
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
        ],
    },
    # ---------------------------------------------------- maladies-chroniques
    {
        "slug": "maladies-chroniques",
        "name": "Maladies chroniques",
        "theme": "sante",
        "description": "Vivre avec une maladie au long cours : cancer, maladies cardiaques, diabète et bien d'autres. L'annonce, les traitements, la fatigue, et la vie qui continue à côté.",
        "members_only": False,
        "position": 5,
        "charter": """## Charte du groupe « Maladies chroniques »

Ici, on parle de ce que la maladie change dans nos vies, et de ce qu'elle ne nous prend pas.

- **Je parle en « je »** : je raconte mon diagnostic, mes traitements, ma fatigue, mes colères et mes bonnes nouvelles.
- **Pas de jugement** : personne n'est « responsable » de sa maladie, et chacun vit ses traitements comme il le peut.
- **Confidentialité** : ce qui se dit ici reste ici. Je ne publie ni résultats d'examens identifiables, ni noms de soignants ou d'établissements.
- **Pas de conseils médicaux** : je ne recommande aucun traitement, aucun régime miracle, et je ne remets pas en cause celui d'un autre membre. Les questions médicales se posent à son équipe soignante.
- **Astuces du quotidien bienvenues** : organisation, fatigue, démarches, façons de l'annoncer à ses proches.
- **Avertissement de contenu** : si je décris des soins difficiles ou une fin de vie, j'ajoute un avertissement.
- Ce forum est un lieu d'entraide entre pairs, **pas un lieu de soin professionnel**. Pour un symptôme inquiétant, on appelle son médecin ou les urgences.

**En cas de détresse morale** : le **3114** (France, 24 h/24), SOS Amitié au **09 72 39 40 50**, La Main Tendue au **143** (Suisse), le **0800 32 123** (Belgique), le **1 866 APPELLE** (Québec). En cas d'urgence médicale : le **112** (le **911** en Amérique du Nord).""",
        "threads": [
            {
                "title": "Diabète de type 2 à 47 ans : le choc",
                "author": "Galet",
                "content_warning": None,
                "body": """On m'a annoncé la semaine dernière que j'ai un diabète de type 2. Une prise de sang de routine, et puis ce coup de fil du médecin qui voulait « me voir rapidement ».

Je suis ressorti du cabinet avec une ordonnance, une liste de rendez-vous et un dépliant plein de photos de légumes. Je me suis assis dans la voiture et j'ai pleuré, là, sur le parking, comme un idiot. Mon père était diabétique et il a eu de gros soucis de santé à la fin, alors forcément, j'ai vu défiler tout le film.

Et puis il y a la honte. Cette impression que c'est « ma faute », que tout le monde va penser que je mangeais n'importe comment. En Bretagne, avec le beurre salé, je vous laisse imaginer les blagues des collègues.

Comment vous avez encaissé l'annonce, vous ?""",
                "replies": [
                    {
                        "author": "Tournesol",
                        "body": """Type 1 depuis mes neuf ans, donc pas tout à fait la même histoire, mais la honte, je connais. Des « t'as mangé trop de bonbons ? », j'en ai entendu toute ma vie. Le diabète n'est pas une punition, quel que soit son type.

Ce qui m'a aidé·e au début, c'est de poser toutes mes questions, même les plus bêtes, à l'infirmière d'éducation thérapeutique. Elle en avait entendu d'autres.""",
                        "replies": [
                            {
                                "author": "Galet",
                                "body": """« Pas une punition » : je vais me le répéter. Je ne savais même pas qu'il y avait des infirmières pour ça, je demanderai au prochain rendez-vous. Merci Tournesol.""",
                                "replies": [],
                            },
                        ],
                    },
                    {
                        "author": "MarcheLente",
                        "body": """Pleurer dans sa voiture sur le parking, je connais aussi : moi, c'était en sortant de chez le cardiologue. Je crois que ça fait partie du parcours, d'une certaine façon.

Laissez-vous un peu de temps pour digérer l'annonce (si j'ose dire) avant de vouloir tout changer d'un coup. Pour moi, c'est quand j'ai voulu tout révolutionner en une semaine que j'ai craqué.""",
                        "replies": [],
                    },
                ],
            },
            {
                "title": "J'en ai marre de cette foutue fatigue",
                "author": "Oursonne",
                "content_warning": None,
                "body": """Fin de la chimio il y a deux mois. Tout le monde autour de moi est content, me dit que « le plus dur est derrière ». Et c'est vrai, je sais que j'ai de la chance, les derniers examens sont bons.

Mais j'en ai marre de cette foutue fatigue. Ce n'est pas une fatigue normale, de celles qu'une bonne nuit répare. Je fais les courses et je dois rester assise un quart d'heure dans la voiture avant de pouvoir rentrer. Je lis trois pages et j'ai oublié la première. Hier, j'ai dû faire une sieste après avoir étendu le linge. Le linge !

Mes collègues me demandent quand je reviens. Ma femme fait tout à la maison, et je culpabilise.

Je ne sais pas trop ce que je demande. Peut-être juste d'entendre que je ne suis pas la seule à ne pas « rebondir ».""",
                "replies": [
                    {
                        "author": "TheiereBleue",
                        "body": """Vous n'êtes pas la seule. Mon mari, pendant sa maladie, disait que la fatigue de la chimio, c'était « comme porter un sac à dos plein de cailloux que personne ne voit ». Les gens voient les cheveux qui repoussent et croient que tout est fini. Soyez douce avec vous-même.""",
                        "replies": [],
                    },
                    {
                        "author": "Sarcelle",
                        "body": """Ma tante a vécu la même chose après son cancer. Ce qui l'a aidée, d'après elle, c'est l'activité physique adaptée que son équipe à l'hôpital lui avait proposée : de toutes petites séances, très progressives. Elle a râlé au début, et puis elle a trouvé que ça l'aidait, à son rythme. C'est peut-être une question à poser à ton oncologue, si tu en as envie ?""",
                        "replies": [
                            {
                                "author": "Oursonne",
                                "body": """Mon équipe m'en avait parlé, et j'avais fait semblant de ne pas entendre. Je vais redemander. Et TheiereBleue, le sac à dos de cailloux invisibles, c'est exactement ça. Je vais le ressortir à mes collègues, tiens.""",
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
            {
                "title": "Cinq kilomètres, un an après l'infarctus",
                "author": "MarcheLente",
                "content_warning": None,
                "body": """Il y a un an, je faisais un infarctus dans ma cuisine, en épluchant des pommes de terre. Je me souviens surtout d'avoir pensé : « C'est idiot, je n'ai pas fini la soupe. »

Après, il y a eu la réadaptation cardiaque : des semaines à pédaler sur un vélo d'appartement, couverte d'électrodes, avec des gens de mon âge qui râlaient autant que moi. Et la peur. La peur de chaque petite douleur dans la poitrine, la peur de monter un escalier, la peur de m'endormir seule.

Ce matin, j'ai marché cinq kilomètres autour du lac. Lentement (d'où mon pseudo), avec des pauses sur tous les bancs, mais cinq kilomètres. J'ai vu deux hérons.

La peur n'est pas partie complètement. Mais maintenant, elle marche un peu derrière moi, plus devant.""",
                "replies": [
                    {
                        "author": "Galet",
                        "body": """Ça me donne envie d'aller marcher, tiens. Je vais commencer par le tour du port, ce sera déjà bien. Et j'espère que la soupe a fini par être terminée.""",
                        "replies": [
                            {
                                "author": "MarcheLente",
                                "body": """Elle a été terminée par ma voisine, qui m'a trouvée ce jour-là. Depuis, elle vient manger la soupe avec moi tous les mercredis. Comme quoi.""",
                                "replies": [],
                            },
                        ],
                    },
                    {
                        "author": "Bruine",
                        "body": """« Elle marche derrière moi, plus devant. » Je vais garder cette phrase pour mes angoisses à moi. Bravo pour les cinq kilomètres, et merci pour les hérons.""",
                        "replies": [],
                    },
                ],
            },
        ],
    },
    # -------------------------------------------------- troubles-alimentaires
    {
        "slug": "troubles-alimentaires",
        "name": "Troubles alimentaires",
        "theme": "sante",
        "description": "Anorexie, boulimie, hyperphagie et toutes les relations compliquées avec la nourriture et le corps. Ici, on parle du vécu, jamais de chiffres.",
        "members_only": False,
        "position": 6,
        "charter": """## Charte du groupe « Troubles alimentaires »

Ici, on parle de ce qu'on vit avec la nourriture et avec son corps, dans le respect de tous les parcours.

- **Je parle en « je »** : je raconte mes difficultés et mes progrès, sans comparer mon parcours à celui des autres.
- **Aucun chiffre** : pas de poids, d'IMC, de calories, de tailles de vêtements ni de quantités. Ils peuvent faire beaucoup de mal à d'autres membres.
- **Aucun commentaire sur les corps**, ni sur le sien comme modèle, ni sur celui des autres.
- **Pas d'astuces dangereuses** : rien qui encourage la restriction, les vomissements, la compensation ou l'hyperactivité physique.
- **Pas de jugement** : une crise ou une rechute se dit ici sans honte.
- **Confidentialité** : ce qui se dit ici reste ici.
- **Pas de conseils médicaux ou diététiques** : ces questions se travaillent avec son équipe de soins.
- Ce forum est un lieu d'entraide entre pairs, **pas un lieu de soin professionnel**.

**En cas de crise** : le **3114** (France, 24 h/24), SOS Amitié au **09 72 39 40 50**, La Main Tendue au **143** (Suisse), le **0800 32 123** (Belgique), le **1 866 APPELLE** (Québec). En cas d'urgence médicale : le **112** (le **911** en Amérique du Nord).""",
        "threads": [
            {
                "title": "Crise d'hyperphagie après une journée pourrie",
                "author": "Noisette",
                "content_warning": "description d'une crise d'hyperphagie",
                "body": """Journée pourrie au travail : une remarque humiliante de mon chef devant toute l'équipe, puis un coup de fil tendu avec ma mère. En rentrant, je suis passée à la supérette « juste pour du pain ».

Vous connaissez la suite. J'ai mangé debout dans la cuisine, vite, sans rien goûter, jusqu'à avoir mal. Comme si j'essayais de remplir un trou qui n'était pas dans mon ventre. Après, le grand vide, la honte, et l'envie de me cacher sous la couette jusqu'à la fin des temps.

Ça faisait cinq semaines que je n'avais pas fait de crise. J'ai l'impression d'être revenue à la case départ.

Ce matin, j'ai quand même pris un petit-déjeuner normal, comme on travaille ça avec l'équipe qui me suit, au lieu de « compenser ». C'était dur.""",
                "replies": [
                    {
                        "author": "Aubepine",
                        "body": """Le petit-déjeuner de ce matin, c'est une vraie victoire, Noisette. Je sais à quel point c'est tentant de « compenser », et tu ne l'as pas fait.

Pour moi, la case départ n'existe pas vraiment : cinq semaines, ce sont cinq semaines d'apprentissage qui ne disparaissent pas en une soirée.""",
                        "replies": [
                            {
                                "author": "Noisette",
                                "body": """Merci. Je vais essayer de le voir comme ça. Ma psychologue dit un peu la même chose : une crise, c'est une information sur ma journée, pas un verdict sur moi.""",
                                "replies": [],
                            },
                        ],
                    },
                    {
                        "author": "Bruine",
                        "body": """Le trou qui n'est pas dans le ventre… c'est exactement ça. Chez moi aussi, ça arrive souvent après une humiliation.

Depuis quelque temps, quand je sens que ça monte, j'écris trois lignes dans un carnet avant d'ouvrir le placard : ce qui s'est passé, ce que je ressens, ce dont j'ai *vraiment* besoin. Ça ne marche pas à tous les coups, mais parfois, ça me laisse juste assez de temps pour appeler une amie à la place.""",
                        "replies": [],
                    },
                ],
            },
            {
                "title": "J'ai mangé au restaurant avec mes collègues",
                "author": "Aubepine",
                "content_warning": None,
                "body": """Pour beaucoup, c'est un non-événement. Pour moi, c'est une première depuis six ans.

Celles et ceux qui ont connu l'anorexie savent ce qu'est un restaurant : la carte qu'on épluche des jours à l'avance, les assiettes qu'on ne maîtrise pas, le regard des autres, la phrase « tu ne prends que ça ? ».

Vendredi, c'était le pot de départ d'une collègue, à midi, dans une brasserie. J'ai failli inventer un rendez-vous chez le médecin. Finalement, j'y suis allée. J'ai commandé le plat du jour sans étudier la carte pendant des heures. J'ai parlé de séries avec le collègue d'à côté au lieu de surveiller mon assiette. Et j'ai même pris un café gourmand, parce que tout le monde en prenait et que, pour une fois, j'en avais envie.

Ma thérapeute va être contente. Moi aussi, en fait.""",
                "replies": [
                    {
                        "author": "Tournesol",
                        "body": """Le café gourmand parce que tu en avais *envie*. Je relis cette phrase et elle me fait sourire. Bravo, Aubepine : c'est tout sauf un non-événement.""",
                        "replies": [],
                    },
                    {
                        "author": "Noisette",
                        "body": """Le « tu ne prends que ça ? » (ou l'inverse, « tu te ressers encore ? »), je crois qu'il faudrait l'interdire par la loi. Bravo d'y être allée malgré la tentation du faux rendez-vous, je connais trop bien ce réflexe.""",
                        "replies": [
                            {
                                "author": "Aubepine",
                                "body": """Proposition de loi adoptée à l'unanimité du forum ! Merci à vous deux, ça me fait chaud au cœur.""",
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
        ],
    },
    # ---------------------------------------------------------------- proches
    {
        "slug": "proches",
        "name": "Familles et proches",
        "theme": "proches",
        "description": "Pour les familles et les proches de personnes vivant avec un trouble psychique (schizophrénie, troubles bipolaires…). Parce que les aidants aussi ont besoin d'un endroit à eux.",
        "members_only": False,
        "position": 7,
        "charter": """## Charte du groupe « Familles et proches »

Ici, on parle de ce que l'on vit à côté d'un proche malade : l'amour, l'inquiétude, la fatigue, parfois la colère.

- **Je parle en « je »** : je raconte ce que *je* vis en tant que proche. Je ne pose pas de diagnostic sur quelqu'un d'autre.
- **Respect de la personne malade** : elle n'est pas là pour donner sa version. Je ne donne aucun détail qui permettrait de la reconnaître (nom, ville, établissement de soins).
- **Pas de jugement** : ni sur les familles qui n'en peuvent plus, ni sur celles qui continuent, ni sur les personnes malades.
- **Confidentialité** : ce qui se dit ici reste ici.
- **Pas de conseils médicaux** : les traitements se discutent avec l'équipe soignante. Je peux partager mon expérience des démarches, des associations de familles, des aides.
- **Avertissement de contenu** : si j'évoque une crise, une hospitalisation sous contrainte ou de la violence, j'ajoute un avertissement.
- **Prendre soin de soi n'est pas égoïste** : ici, on a le droit d'être fatigué.
- Ce forum est un lieu d'entraide entre pairs, **pas un lieu de soin professionnel**.

**En cas de crise, pour vous ou votre proche** : le **3114** (France, 24 h/24, aussi pour l'entourage), SOS Amitié au **09 72 39 40 50**, La Main Tendue au **143** (Suisse), le **0800 32 123** (Belgique), le **1 866 APPELLE** (Québec). En cas de danger immédiat : le **112** (le **911** en Amérique du Nord).""",
        "threads": [
            {
                "title": "Mon frère a arrêté son traitement",
                "author": "Sarcelle",
                "content_warning": "troubles psychotiques, hospitalisation sous contrainte",
                "body": """Mon petit frère a une schizophrénie, diagnostiquée quand il avait vingt-deux ans. Depuis trois ans, ça allait plutôt bien : un traitement qu'il supportait, un petit boulot, son appart à lui.

Depuis un mois environ, il a arrêté ses médicaments. Il dit qu'il n'en a plus besoin, qu'ils le « ralentissent ». Il m'appelle à deux heures du matin pour me parler de messages qu'il reçoit par la radio. Il ne va plus à ses rendez-vous au centre.

La dernière fois que ça s'est passé comme ça, ça s'est terminé par une hospitalisation sous contrainte, avec la police, et je ne l'ai toujours pas digéré. Il m'en a voulu pendant des mois.

Je me sens tellement impuissante. Je ne peux pas le forcer, c'est un adulte. Mais je ne peux pas non plus juste regarder. Comment vous faites, vous, dans ces moments-là ?""",
                "replies": [
                    {
                        "author": "Colibri",
                        "body": """Je connais cette impuissance par cœur : mon compagnon vit avec une schizophrénie, et il a arrêté son traitement deux fois depuis qu'on est ensemble. Ce que j'ai appris, souvent à mes dépens :

- je ne discute plus le contenu du délire (les messages, la radio) : je parle plutôt de ce qu'il ressent, la peur, la fatigue ;
- j'ai pris contact moi-même avec son équipe soignante. Ils ne pouvaient pas tout me dire, secret médical oblige, mais ils pouvaient *m'écouter*, et ça a compté ;
- j'ai arrêté de décrocher chaque nuit à deux heures du matin. Ça m'a brisé le cœur la première fois, mais je ne tenais plus debout.

Tu n'es pas seule, Sarcelle.""",
                        "replies": [
                            {
                                "author": "Sarcelle",
                                "body": """Merci Colibri. Ne pas discuter le délire… je fais tout le contraire, je m'épuise à lui prouver que la radio ne lui parle pas. Je vais essayer autrement. Et appeler son centre, je n'osais pas : j'avais l'impression de le trahir.""",
                                "replies": [],
                            },
                        ],
                    },
                    {
                        "author": "RenardGris",
                        "body": """Ce qui m'a tenu debout quand ma fille a fait sa première grosse crise, c'est une association de familles : des parents, des frères et sœurs qui savaient exactement de quoi je parlais, et qui connaissaient aussi les démarches. Il en existe en Belgique aussi, me semble-t-il. Tu n'as pas à porter ça toute seule, Sarcelle.""",
                        "replies": [],
                    },
                ],
            },
            {
                "title": "Ma mère est bipolaire, et moi je suis à bout",
                "author": "Tournesol",
                "content_warning": None,
                "body": """Ma mère a un trouble bipolaire depuis que je suis petit·e. J'ai appris à reconnaître les signes avant tout le monde : quand elle se met à repeindre la cuisine à minuit, quand elle achète trois vélos d'un coup, quand elle ne dort plus. Et puis les mois où elle ne sort plus de sa chambre.

Aujourd'hui, j'ai vingt-six ans, j'habite à l'autre bout de la France, et je suis toujours celle… celui… bref, la personne qu'on appelle quand ça déraille. Mon père est parti il y a longtemps, et je n'ai ni frère ni sœur.

En ce moment, elle est en phase haute. Elle va « très bien », dit-elle. Elle m'appelle dix fois par jour. Je l'aime, et je suis à bout.

Est-ce que c'est égoïste d'avoir envie de couper mon téléphone tout un week-end ?""",
                "replies": [
                    {
                        "author": "RenardGris",
                        "body": """Non, ce n'est pas égoïste. Je suis de l'autre côté : le père d'une fille bipolaire. Et ce que je souhaite le plus au monde, c'est que celles et ceux qui l'aiment ne s'épuisent pas. Parce que le jour où ils s'effondrent, c'est elle qui perd ses appuis.

Prendre soin de toi, c'est aussi prendre soin d'elle, sur la durée. Couper un week-end en la prévenant, ce n'est pas l'abandonner.""",
                        "replies": [
                            {
                                "author": "Tournesol",
                                "body": """Je n'avais jamais entendu ce point de vue-là, celui du parent. Ça me fait quelque chose. Je crois que je vais la prévenir samedi matin et me garder le dimanche rien que pour moi.""",
                                "replies": [],
                            },
                        ],
                    },
                    {
                        "author": "Sarcelle",
                        "body": """On dirait que tu as été l'adulte de la maison depuis tout petit·e. Ce n'est pas rien, hein.

Chez nous, ce qui m'a beaucoup allégée, c'est qu'il y ait un deuxième « relais » : une cousine, et le numéro de l'équipe qui suit mon frère, pour les moments où je ne suis pas joignable. Je ne sais pas si c'est possible dans ta situation, mais je te le partage.""",
                        "replies": [],
                    },
                ],
            },
            {
                "title": "Ce que je fais pour moi, en tant qu'aidant",
                "author": "RenardGris",
                "content_warning": None,
                "body": """Après avoir lu plusieurs messages d'aidants épuisés ces derniers temps (et m'y être reconnu), j'ai eu envie de partager ma petite liste. Elle n'a rien de magique, et elle ne conviendra pas à tout le monde. C'est juste ce qui me tient debout depuis que ma fille est malade :

- **un créneau rien qu'à moi** chaque semaine : le mardi soir, la chorale. Sauf vraie urgence, je n'y déroge pas ;
- **un groupe de parole** pour les familles, une fois par mois ;
- **le droit de dire « je ne sais pas »**, au lieu de faire semblant d'avoir toutes les réponses ;
- **une personne à qui je peux tout dire** sans qu'elle cherche à me conseiller : mon vieux copain de pêche.

Et vous, c'est quoi, vos bouées ?""",
                "replies": [
                    {
                        "author": "TheiereBleue",
                        "body": """Pendant la maladie de mon mari, ma bouée, c'était la piscine, le jeudi matin. Trente longueurs sans penser à rien d'autre qu'à compter. Et la permission de dire non à une visite quand je n'en avais pas la force.""",
                        "replies": [],
                    },
                    {
                        "author": "Colibri",
                        "body": """Ma bouée : une amie avec qui j'ai un code. Quand je lui envoie « soupe ? », ça veut dire « j'ai besoin de parler d'autre chose que de la maladie pendant une heure ». Elle arrive, on parle de tout sauf de ça, et je respire.""",
                        "replies": [
                            {
                                "author": "RenardGris",
                                "body": """Le code « soupe ? », c'est génial. Je vais le proposer à mon copain de pêche. Il va me répondre « truite ? », je le connais.""",
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
        ],
    },
    # ---------------------------------------------------------------- travail
    {
        "slug": "travail",
        "name": "Travail, burn-out et chômage",
        "theme": "travail",
        "description": "Burn-out, chômage, perte d'emploi, reprise, reconversion : quand le travail fait mal, ou quand il manque.",
        "members_only": False,
        "position": 8,
        "charter": """## Charte du groupe « Travail, burn-out et chômage »

Ici, on parle de ce que le travail nous fait, ou de ce que son absence nous fait.

- **Je parle en « je »** : je raconte mon burn-out, ma recherche d'emploi, ma reprise, sans donner de leçon sur la carrière des autres.
- **Pas de jugement** : ni sur un arrêt maladie, ni sur une démission, ni sur le fait de « tenir » encore.
- **Confidentialité et discrétion** : je ne nomme ni mon employeur, ni mes collègues, ni mes supérieurs. Ce qui se dit ici reste ici.
- **Pas de conseils médicaux**, et pour les questions juridiques (licenciement, indemnités, droits), je me tourne vers un professionnel : syndicat, juriste, inspection du travail.
- **Astuces bienvenues** : organisation d'une reprise, gestion des mails, entretiens, démarches, comment garder un rythme sans travail.
- **On célèbre les petites victoires** : un « non » posé, une candidature envoyée, une journée tenue.
- Ce forum est un lieu d'entraide entre pairs, **pas un lieu de soin professionnel**.

**Si ça ne va pas du tout** : le **3114** (France, 24 h/24), SOS Amitié au **09 72 39 40 50**, La Main Tendue au **143** (Suisse), le **0800 32 123** (Belgique), le **1 866 APPELLE** (Québec). En cas de danger immédiat : le **112** (le **911** en Amérique du Nord).""",
        "threads": [
            {
                "title": "Reprise après un burn-out : c'est demain",
                "author": "Marmotte73",
                "content_warning": None,
                "body": """Demain, je reprends le travail après sept mois d'arrêt pour burn-out. En mi-temps thérapeutique pour commencer : les matins seulement.

Je suis prof de maths dans un collège. Avant, je corrigeais mes copies jusqu'à une heure du matin, je répondais aux mails des parents le dimanche, je disais oui à tout : le voyage scolaire, les réunions en plus, le remplacement au pied levé. Jusqu'au jour où, en novembre, je me suis retrouvé assis dans ma voiture devant le collège, incapable d'en sortir. Je suis resté là quarante minutes.

Ce soir, mon sac est prêt et j'ai une boule dans le ventre. J'ai écrit trois règles sur un post-it :
1. pas de mail après 18 h ;
2. je dis « je vais y réfléchir » au lieu de « oui » ;
3. je mange assis, et pas devant l'ordinateur.

Souhaitez-moi bonne chance.""",
                "replies": [
                    {
                        "author": "Lucioles",
                        "body": """Bonne chance, Marmotte ! Tes trois règles sont parfaites. Pour ma reprise, j'en avais ajouté une quatrième : « Je n'ai pas à rattraper le temps perdu. » J'avais l'impression de devoir prouver que j'étais « revenue à 100 % » dès le premier jour, et ça a failli me renvoyer direct à la case arrêt.""",
                        "replies": [],
                    },
                    {
                        "author": "PetitPas",
                        "body": """On croise les doigts pour toi. Tu nous racontes demain ?""",
                        "replies": [
                            {
                                "author": "Marmotte73",
                                "body": """Petit compte rendu : premier matin fait ! Les collègues ont été plutôt gentils, certains un peu maladroits (« alors, bien reposé ? »), mais rien de méchant. Un élève de l'an dernier m'a lancé dans le couloir : « Ah, vous êtes revenu, trop bien ! » J'ai failli pleurer devant la photocopieuse.

Règle n° 1 tenue : aucun mail ouvert après 18 h. Je suis rincé, mais content.""",
                                "replies": [
                                    {
                                        "author": "Lucioles",
                                        "body": """« Ah, vous êtes revenu, trop bien ! » Celle-là, tu peux l'encadrer. Bravo pour ce premier matin.""",
                                        "replies": [],
                                    },
                                ],
                            },
                        ],
                    },
                ],
            },
            {
                "title": "Licencié à 54 ans",
                "author": "Mistral",
                "content_warning": None,
                "body": """C'est officiel : l'entreprise où je travaille depuis vingt-six ans ferme le site. Plan social, lettre recommandée, « nous vous remercions pour votre engagement ». Vingt-six ans, et on me remercie comme un stagiaire.

J'ai cinquante-quatre ans. Trop vieux pour qu'on m'embauche, trop jeune pour la retraite : c'est ce que tout le monde me dit, avec un air désolé. Le matin, ma femme part au boulot et moi, je tourne en rond dans l'appartement sans savoir quoi faire de mes mains.

Je ne vous cache pas que ce sont ces journées vides qui m'ont fait glisser, il y a quelques semaines (ceux du groupe addictions savent). Je fais attention, je vais aux réunions. Mais ce sentiment d'être inutile, je sais que c'est un terrain glissant pour moi.

Comment vous avez rempli vos journées, vous, quand le travail s'est arrêté ?""",
                "replies": [
                    {
                        "author": "Galet",
                        "body": """J'ai été licencié à quarante-quatre ans, quand la conserverie a fermé. Je te comprends. Les trois premiers mois, j'ai fait comme toi, je tournais en rond.

Ce qui m'a remis debout, c'est de me faire un emploi du temps comme si j'allais au boulot : le matin, les démarches et les candidatures, deux heures maximum ; l'après-midi, une activité dehors. Et le bénévolat à l'épicerie solidaire, deux matinées par semaine. J'y ai retrouvé des collègues, au sens propre : des gens avec qui on se dit bonjour le matin. Aujourd'hui, j'ai retrouvé un poste, moins bien payé, mais je m'y sens bien.""",
                        "replies": [
                            {
                                "author": "Mistral",
                                "body": """L'emploi du temps, ça me parle. Je crois que c'est l'absence de cadre qui me fait le plus peur. Il y a une banque alimentaire pas loin de chez moi, je vais passer les voir cette semaine.""",
                                "replies": [],
                            },
                        ],
                    },
                    {
                        "author": "Ecureuil_QC",
                        "body": """Ici, on dit « mis à pied », mais ça fait le même effet en pleine face. Moi, ce qui m'a aidé, c'est d'arrêter de dire « je suis au chômage » pour dire « je suis entre deux jobs ». Ça a l'air niaiseux, mais ça changeait comment je me voyais dans le miroir le matin. Lâche pas, Mistral.""",
                        "replies": [],
                    },
                ],
            },
            {
                "title": "J'ai dit non à ma cheffe (et le monde ne s'est pas écroulé)",
                "author": "Lucioles",
                "content_warning": None,
                "body": """Petite victoire qui a l'air minuscule mais qui, pour moi, est énorme.

Vendredi à 17 h 30, ma cheffe m'a demandé de « jeter un œil » à un dossier pour lundi matin. L'ancienne moi aurait dit oui en souriant et aurait passé son week-end dessus à ruminer.

J'ai respiré et j'ai dit : « Je ne pourrai pas ce week-end. Je peux m'en occuper lundi en priorité, ce sera prêt mardi midi. » Ma voix tremblait un peu. Elle m'a regardée deux secondes et elle a dit : « Ah. Bon, d'accord, mardi, ça ira. »

C'est tout. Pas de drame. Pas de porte qui claque. Rien.

J'ai passé le week-end à planter mes tulipes (oui, encore elles) et à voir une amie. Je ne dis pas que ce sera toujours aussi facile, mais vendredi, j'ai fait ce que je travaille avec ma psy depuis des mois.""",
                "replies": [
                    {
                        "author": "Marmotte73",
                        "body": """Je prends des notes. « Je ne pourrai pas ce week-end, mais je peux… » : un non, et une proposition. C'est parfait. Je l'ajoute sur mon post-it.""",
                        "replies": [],
                    },
                    {
                        "author": "Noisette",
                        "body": """« Et le monde ne s'est pas écroulé. » Je crois qu'on a tous un peu cette peur-là, que tout s'effondre si on dit non. Merci de nous montrer qu'il tient debout. Et salue les tulipes de ma part.""",
                        "replies": [
                            {
                                "author": "Lucioles",
                                "body": """Les tulipes vous saluent bien. Elles passent l'hiver sous terre, un peu comme moi l'an dernier. Rendez-vous au printemps.""",
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
        ],
    },
    # ------------------------------------------------------------------ lgbtq
    {
        "slug": "lgbtq",
        "name": "LGBTQ+",
        "theme": "lgbtq",
        "description": "Un espace réservé aux membres connectés, pour les personnes LGBTQ+ : coming out, famille, identité, discriminations, et les joies aussi.",
        "members_only": True,
        "position": 9,
        "charter": """## Charte du groupe « LGBTQ+ »

Cet espace est réservé aux membres connectés, pour que chacun puisse parler de son orientation et de son identité en sécurité.

- **Je parle en « je »** : je raconte mon vécu, mon coming out ou mon choix de ne pas le faire, à mon rythme.
- **Respect des identités** : j'utilise le prénom et les pronoms que chaque membre indique. Aucune identité n'est mise en débat ici.
- **Pas d'outing** : je ne révèle jamais l'orientation ou l'identité de quelqu'un d'autre, même par allusion, ni ici ni ailleurs.
- **Confidentialité renforcée** : rien de ce qui est écrit ici ne sort d'ici, pas même en capture d'écran.
- **Pas de jugement** : ni sur les parcours, ni sur les familles, ni sur le rythme de chacun.
- **Pas de conseils médicaux** : les questions de santé ou de transition se posent à des professionnels de confiance.
- **On célèbre aussi les joies** : un prénom enfin respecté, un parent qui avance, un premier baiser.
- Ce forum est un lieu d'entraide entre pairs, **pas un lieu de soin professionnel**.

**En cas de crise** : le **3114** (France, 24 h/24), SOS Amitié au **09 72 39 40 50**, La Main Tendue au **143** (Suisse), le **0800 32 123** (Belgique), le **1 866 APPELLE** (Québec). En cas de danger immédiat : le **112** (le **911** en Amérique du Nord).""",
        "threads": [
            {
                "title": "J'ai fait mon coming out à mes parents",
                "author": "PetitPas",
                "content_warning": None,
                "body": """Dimanche, au dessert, j'ai dit à mes parents que je suis gay. Ça faisait deux ans que je répétais la phrase dans ma tête, dans le métro, sous la douche. Au final, elle est sortie toute seule, pas du tout comme prévu, entre la tarte aux pommes et le café.

Ma mère a pleuré, puis elle m'a pris dans ses bras et m'a dit qu'elle s'en doutait « depuis le lycée, au moins ». Mon père n'a rien dit. Il s'est levé et il est allé faire la vaisselle. Le soir, il m'a envoyé un SMS : « On t'aime, fiston. Il me faut un peu de temps. »

Je ne sais pas quoi ressentir. Soulagé, clairement. Mais le silence de mon père tourne en boucle dans ma tête.

Celles et ceux qui sont passés par là : combien de temps il a fallu, chez vous ?""",
                "replies": [
                    {
                        "author": "Oursonne",
                        "body": """Chez moi, ma mère a mis presque un an. Au début, elle parlait de ma compagne comme de « ton amie ». Aujourd'hui, c'est ma femme, elle l'appelle pour lui demander sa recette de tiramisu, et pendant ma chimio, elles se relayaient toutes les deux à côté de moi.

Les gens peuvent faire beaucoup de chemin. Le SMS de ton père, je le trouve plein d'amour, même s'il demande du temps.""",
                        "replies": [
                            {
                                "author": "PetitPas",
                                "body": """Merci Oursonne. C'est vrai que « il me faut un peu de temps », ce n'est pas « non ». Je vais essayer de le relire comme ça.""",
                                "replies": [],
                            },
                        ],
                    },
                    {
                        "author": "Aubepine",
                        "body": """Mon père aussi était du genre à faire la vaisselle quand il ne savait pas quoi dire. Trois mois après mon coming out, il m'a demandé, très maladroitement, si ma copine aimait le vélo, parce qu'il voulait nous emmener faire le tour du lac. C'était sa façon à lui de dire oui. Je te souhaite ton moment « vélo ».""",
                        "replies": [],
                    },
                ],
            },
            {
                "title": "Mon prénom au travail",
                "author": "Tournesol",
                "content_warning": None,
                "body": """Ça y est : depuis lundi, mon prénom est dans la signature de mes mails, sur mon badge et dans l'annuaire de la boîte. J'ai envoyé un petit message à l'équipe pour expliquer que je suis non-binaire, que j'utilise « iel », et que je ne m'attends pas à ce que tout le monde soit parfait du premier coup.

Bilan de la première semaine :
- la plupart des collègues ont fait l'effort, avec quelques ratés et des « pardon ! » sincères ;
- un collègue fait semblant de ne pas avoir lu le message. Ça pique ;
- la dame de l'accueil m'a dit : « C'est joli, ce prénom. » J'ai eu envie de la serrer dans mes bras.

Je suis fatigué·e, aussi. Avant chaque réunion, je me demande comment ça va se passer. Mais quand on m'appelle par mon prénom, je me sens… moi. Juste moi.""",
                "replies": [
                    {
                        "author": "PetitPas",
                        "body": """« Je me sens moi. » Ça me donne des frissons. Bravo pour le courage qu'il faut pour le dire à toute une équipe. Et vive la dame de l'accueil.""",
                        "replies": [],
                    },
                    {
                        "author": "Oursonne",
                        "body": """Le collègue qui fait semblant, je crois qu'on en a tous un. Quand j'ai commencé à parler de « ma femme » au bureau, il y en avait un qui disait systématiquement « ton mari », l'air innocent. J'ai fini par répondre tranquillement « ma femme » à chaque fois, sans m'énerver, comme un disque rayé. Au bout de quelques semaines, il a laissé tomber.

Mais je sais que ça use. Prends soin de toi les soirs de réunion, hein.""",
                        "replies": [
                            {
                                "author": "Tournesol",
                                "body": """La technique du disque rayé, calme et poli·e, je la garde. Et oui, ça use : le vendredi soir, je m'accorde un long bain et zéro conversation. Merci à vous deux.""",
                                "replies": [],
                            },
                        ],
                    },
                ],
            },
        ],
    },
]


# Boards whose groups meet (weekday: 0 = Monday). The place is shown to members only.
DEMO_MEETINGS: dict[str, dict] = {
    "deuil": {
        "frequency": "weekly",
        "weekday": 3,
        "time": (19, 0),
        "timezone": "Europe/Paris",
        "mode": "in_person",
        "place": "Maison des associations, 3 rue des Lilas, salle 2 (rez-de-chaussée)",
        "between_text": (
            "Un fil pour le temps entre deux rencontres : comment passe la semaine, ce qui "
            "pèse, ce qui aide. On parle en « je », à son rythme ; rien n'oblige à écrire."
        ),
    },
    "depression": {
        "frequency": "biweekly",
        "weekday": 1,
        "time": (18, 30),
        "timezone": "Europe/Paris",
        "mode": "video",
        "place": "Le lien de la visio est donné dans le fil épinglé du groupe.",
    },
    "proches": {
        "frequency": "monthly",
        "weekday": 5,
        "week_of_month": 1,
        "time": (10, 0),
        "timezone": "America/Montreal",
        "mode": "in_person",
        "place": "Centre communautaire, 2e étage, Montréal",
        "duration": 120,
    },
}

# First posts their authors marked as a small victory.
DEMO_VICTORIES = (
    "Petite victoire : douche ET lessive le même jour",
    "J'ai parlé à la réunion !",
    "Cinq kilomètres, un an après l'infarctus",
    "J'ai dit non à ma cheffe (et le monde ne s'est pas écroulé)",
)
