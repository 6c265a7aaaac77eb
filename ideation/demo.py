"""The #nextstrategy demo consultation, in English, French, Spanish and Arabic.

Loaded by ``python manage.py seed_demo``. Every text is a dict of language -> text;
English is the main language.
"""

SLUG = "nextstrategy"

CONSULTATION = {
    "title": {
        "en": "Amnesty International's next global strategy: make it yours",
        "fr": "La prochaine stratégie mondiale d'Amnesty International : faites-la vôtre",
        "es": "La próxima estrategia global de Amnistía Internacional: hazla tuya",
        "ar": "الاستراتيجية العالمية المقبلة لمنظمة العفو الدولية: اجعلها استراتيجيتك",
    },
    "description": {
        "en": (
            "Amnesty International is shaping its next global strategy and wants to hear from its members, "
            "supporters, national sections, staff, partner organisations and the public.\n\n"
            "Answer five open questions, then vote on statements written by others and add your own. "
            "It takes about ten minutes, and you can stop and come back at any time."
        ),
        "fr": (
            "Amnesty International prépare sa prochaine stratégie mondiale et souhaite entendre ses membres, "
            "ses sympathisant·e·s, ses sections nationales, son personnel, ses organisations partenaires et le public.\n\n"
            "Répondez à cinq questions ouvertes, puis votez sur les affirmations écrites par d'autres et ajoutez "
            "les vôtres. Cela prend une dizaine de minutes, et vous pouvez vous arrêter et revenir à tout moment."
        ),
        "es": (
            "Amnistía Internacional está preparando su próxima estrategia global y quiere escuchar a sus miembros, "
            "simpatizantes, secciones nacionales, personal, organizaciones asociadas y al público.\n\n"
            "Responde a cinco preguntas abiertas, luego vota sobre las afirmaciones escritas por otras personas y "
            "añade las tuyas. Lleva unos diez minutos, y puedes parar y volver cuando quieras."
        ),
        "ar": (
            "تعمل منظمة العفو الدولية على إعداد استراتيجيتها العالمية المقبلة، وتريد الاستماع إلى أعضائها "
            "ومؤيديها وفروعها الوطنية وموظفيها والمنظمات الشريكة لها والجمهور.\n\n"
            "أجب عن خمسة أسئلة مفتوحة، ثم صوّت على عبارات كتبها آخرون وأضف عباراتك. "
            "يستغرق ذلك نحو عشر دقائق، ويمكنك التوقف والعودة في أي وقت."
        ),
    },
    "organiser": {
        "en": "Amnesty International (demonstration consultation)",
        "fr": "Amnesty International (consultation de démonstration)",
        "es": "Amnistía Internacional (consulta de demostración)",
        "ar": "منظمة العفو الدولية (استشارة تجريبية)",
    },
    "data_use": {
        "en": (
            "Your answers and votes feed into a synthesis report that shows what different stakeholder groups "
            "and regions think, where people agree and where they are divided. Quotes appear without any name."
        ),
        "fr": (
            "Vos réponses et vos votes alimentent un rapport de synthèse qui montre ce que pensent les différents "
            "groupes et régions, sur quoi les gens s'accordent et où ils sont divisés. Les citations paraissent "
            "sans aucun nom."
        ),
        "es": (
            "Tus respuestas y votos alimentan un informe de síntesis que muestra lo que piensan los distintos "
            "grupos y regiones, en qué coincide la gente y en qué está dividida. Las citas aparecen sin ningún nombre."
        ),
        "ar": (
            "تُستخدم إجاباتك وأصواتك في تقرير تجميعي يبيّن آراء مختلف الفئات والمناطق، والمسائل التي يتفق "
            "عليها الناس وتلك التي يختلفون حولها. تُنشر الاقتباسات من دون أي اسم."
        ),
    },
}

QUESTIONS = [
    {
        "title": {
            "en": "How can Amnesty International shift narratives and attitudes?",
            "fr": "Comment Amnesty International peut-elle faire évoluer les récits et les mentalités ?",
            "es": "¿Cómo puede Amnistía Internacional cambiar los relatos y las actitudes?",
            "ar": "كيف يمكن لمنظمة العفو الدولية أن تغيّر الروايات السائدة والمواقف؟",
        },
        "prompt": {
            "en": "What would change how people around you think and talk about human rights?",
            "fr": "Qu'est-ce qui changerait la façon dont les gens autour de vous pensent et parlent des droits humains ?",
            "es": "¿Qué cambiaría la forma en que la gente a tu alrededor piensa y habla de los derechos humanos?",
            "ar": "ما الذي قد يغيّر طريقة تفكير الناس من حولك وحديثهم عن حقوق الإنسان؟",
        },
        "context": {
            "en": (
                "Public attitudes shape what governments and companies can get away with. "
                "Think about the stories, messengers and channels that change minds in your community."
            ),
            "fr": (
                "Les mentalités déterminent ce que les gouvernements et les entreprises peuvent se permettre. "
                "Pensez aux récits, aux messagers et aux canaux qui font changer d'avis dans votre communauté."
            ),
            "es": (
                "Las actitudes del público determinan lo que gobiernos y empresas pueden permitirse. "
                "Piensa en los relatos, las voces y los canales que hacen cambiar de opinión en tu comunidad."
            ),
            "ar": (
                "تحدد مواقف الجمهور ما تستطيع الحكومات والشركات الإفلات به. "
                "فكّر في القصص والأصوات والقنوات التي تغيّر القناعات في مجتمعك."
            ),
        },
    },
    {
        "title": {
            "en": "How can Amnesty International strengthen its movement and become a better partner?",
            "fr": "Comment Amnesty International peut-elle renforcer son mouvement et devenir un meilleur partenaire ?",
            "es": "¿Cómo puede Amnistía Internacional fortalecer su movimiento y ser una mejor aliada?",
            "ar": "كيف يمكن لمنظمة العفو الدولية أن تعزز حركتها وأن تصبح شريكاً أفضل؟",
        },
        "prompt": {
            "en": "What would make Amnesty a stronger movement and a more useful ally?",
            "fr": "Qu'est-ce qui ferait d'Amnesty un mouvement plus fort et un allié plus utile ?",
            "es": "¿Qué haría de Amnistía un movimiento más fuerte y una aliada más útil?",
            "ar": "ما الذي يجعل منظمة العفو حركة أقوى وحليفاً أكثر فائدة؟",
        },
        "context": {
            "en": (
                "Amnesty works alongside members, activists, local organisations and other movements. "
                "Think about what it should offer them, and what it should learn from them."
            ),
            "fr": (
                "Amnesty travaille aux côtés de membres, de militant·e·s, d'organisations locales et d'autres "
                "mouvements. Pensez à ce qu'elle devrait leur apporter, et à ce qu'elle devrait apprendre d'eux."
            ),
            "es": (
                "Amnistía trabaja junto a miembros, activistas, organizaciones locales y otros movimientos. "
                "Piensa en lo que debería ofrecerles y en lo que debería aprender de ellos."
            ),
            "ar": (
                "تعمل منظمة العفو إلى جانب الأعضاء والناشطين والمنظمات المحلية والحركات الأخرى. "
                "فكّر في ما ينبغي أن تقدمه لهم، وما ينبغي أن تتعلمه منهم."
            ),
        },
    },
    {
        "title": {
            "en": "How should Amnesty International influence or disrupt power?",
            "fr": "Comment Amnesty International devrait-elle influencer ou bousculer le pouvoir ?",
            "es": "¿Cómo debería Amnistía Internacional influir en el poder o desafiarlo?",
            "ar": "كيف ينبغي لمنظمة العفو الدولية أن تؤثر في مراكز السلطة أو تزعزعها؟",
        },
        "prompt": {
            "en": "Which ways of challenging those in power should Amnesty use more, or less?",
            "fr": "Quels moyens de contester les détenteurs du pouvoir Amnesty devrait-elle utiliser davantage, ou moins ?",
            "es": "¿Qué formas de desafiar a quienes tienen el poder debería usar Amnistía más, o menos?",
            "ar": "ما الأساليب التي ينبغي لمنظمة العفو أن تستخدمها أكثر، أو أقل، لمواجهة أصحاب السلطة؟",
        },
        "context": {
            "en": (
                "Governments, companies and armed groups hold power over people's rights. Amnesty can lobby, "
                "go to court, campaign, research, and support protest."
            ),
            "fr": (
                "Les gouvernements, les entreprises et les groupes armés exercent un pouvoir sur les droits des "
                "personnes. Amnesty peut faire du plaidoyer, saisir la justice, mener campagne, enquêter et "
                "soutenir la contestation."
            ),
            "es": (
                "Gobiernos, empresas y grupos armados tienen poder sobre los derechos de las personas. Amnistía "
                "puede hacer incidencia, acudir a los tribunales, hacer campañas, investigar y apoyar la protesta."
            ),
            "ar": (
                "تملك الحكومات والشركات والجماعات المسلحة سلطة على حقوق الناس. ويمكن لمنظمة العفو أن تمارس "
                "الضغط والمناصرة، وأن تلجأ إلى القضاء، وأن تنظم الحملات، وأن تجري الأبحاث، وأن تدعم الاحتجاج."
            ),
        },
    },
    {
        "title": {
            "en": "How can Amnesty International become more diverse and inclusive?",
            "fr": "Comment Amnesty International peut-elle devenir plus diverse et plus inclusive ?",
            "es": "¿Cómo puede Amnistía Internacional ser más diversa e inclusiva?",
            "ar": "كيف يمكن لمنظمة العفو الدولية أن تصبح أكثر تنوعاً وشمولاً؟",
        },
        "prompt": {
            "en": "What stops people like you from taking part, and what would change that?",
            "fr": "Qu'est-ce qui empêche des personnes comme vous de participer, et qu'est-ce qui pourrait changer cela ?",
            "es": "¿Qué impide participar a personas como tú, y qué podría cambiarlo?",
            "ar": "ما الذي يمنع أشخاصاً مثلك من المشاركة، وما الذي قد يغيّر ذلك؟",
        },
        "context": {
            "en": "Think about who leads, who speaks and who takes part in Amnesty, and who is missing.",
            "fr": "Pensez à qui dirige, qui prend la parole et qui participe au sein d'Amnesty, et à qui manque.",
            "es": "Piensa en quién dirige, quién habla y quién participa en Amnistía, y en quién falta.",
            "ar": "فكّر في من يقود ومن يتحدث ومن يشارك في منظمة العفو، ومن هو غائب.",
        },
    },
    {
        "title": {
            "en": "What should Amnesty International's added value and unique role be?",
            "fr": "Quels devraient être la valeur ajoutée et le rôle unique d'Amnesty International ?",
            "es": "¿Cuál debería ser el valor añadido y el papel único de Amnistía Internacional?",
            "ar": "ما الذي ينبغي أن تكون عليه القيمة المضافة لمنظمة العفو الدولية ودورها الفريد؟",
        },
        "prompt": {
            "en": "What can Amnesty do that others cannot, and what should it leave to others?",
            "fr": "Que peut faire Amnesty que d'autres ne peuvent pas faire, et que devrait-elle laisser à d'autres ?",
            "es": "¿Qué puede hacer Amnistía que otros no pueden, y qué debería dejar a otros?",
            "ar": "ما الذي تستطيع منظمة العفو فعله ولا يستطيعه غيرها، وما الذي ينبغي أن تتركه لغيرها؟",
        },
        "context": {
            "en": "Many organisations defend human rights. Think about what makes Amnesty different, or should.",
            "fr": "De nombreuses organisations défendent les droits humains. Pensez à ce qui distingue Amnesty, ou devrait la distinguer.",
            "es": "Muchas organizaciones defienden los derechos humanos. Piensa en lo que distingue a Amnistía, o debería distinguirla.",
            "ar": "تدافع منظمات كثيرة عن حقوق الإنسان. فكّر في ما يميّز منظمة العفو، أو ما ينبغي أن يميّزها.",
        },
    },
]

STAKEHOLDER_GROUPS = [
    {"en": "Member or supporter", "fr": "Membre ou sympathisant·e", "es": "Miembro o simpatizante", "ar": "عضو أو مؤيد"},
    {
        "en": "National section or structure",
        "fr": "Section ou structure nationale",
        "es": "Sección o estructura nacional",
        "ar": "فرع أو هيكل وطني",
    },
    {
        "en": "International Secretariat staff",
        "fr": "Personnel du Secrétariat international",
        "es": "Personal del Secretariado Internacional",
        "ar": "موظفو الأمانة الدولية",
    },
    {"en": "Global network", "fr": "Réseau mondial", "es": "Red global", "ar": "الشبكة العالمية"},
    {"en": "Partner organisation", "fr": "Organisation partenaire", "es": "Organización asociada", "ar": "منظمة شريكة"},
    {"en": "General public", "fr": "Grand public", "es": "Público en general", "ar": "الجمهور العام"},
]

REGIONS = [
    {"en": "Africa", "fr": "Afrique", "es": "África", "ar": "أفريقيا"},
    {"en": "Americas", "fr": "Amériques", "es": "Américas", "ar": "الأمريكتان"},
    {"en": "Asia-Pacific", "fr": "Asie-Pacifique", "es": "Asia y Oceanía", "ar": "آسيا والمحيط الهادئ"},
    {"en": "Europe and Central Asia", "fr": "Europe et Asie centrale", "es": "Europa y Asia Central", "ar": "أوروبا وآسيا الوسطى"},
    {
        "en": "Middle East and North Africa",
        "fr": "Moyen-Orient et Afrique du Nord",
        "es": "Oriente Medio y Norte de África",
        "ar": "الشرق الأوسط وشمال أفريقيا",
    },
]

SEED_STATEMENTS = [
    {
        "en": "Amnesty should work more with schools and grassroots communities.",
        "fr": "Amnesty devrait travailler davantage avec les écoles et les communautés de base.",
        "es": "Amnistía debería trabajar más con las escuelas y las comunidades de base.",
        "ar": "ينبغي لمنظمة العفو أن تعمل أكثر مع المدارس والمجتمعات المحلية القاعدية.",
    },
    {
        "en": "Amnesty should work more with political parties.",
        "fr": "Amnesty devrait travailler davantage avec les partis politiques.",
        "es": "Amnistía debería trabajar más con los partidos políticos.",
        "ar": "ينبغي لمنظمة العفو أن تعمل أكثر مع الأحزاب السياسية.",
    },
    {
        "en": "Climate change should be one of Amnesty's top priorities.",
        "fr": "Le changement climatique devrait être l'une des grandes priorités d'Amnesty.",
        "es": "El cambio climático debería ser una de las principales prioridades de Amnistía.",
        "ar": "ينبغي أن يكون تغيّر المناخ من أهم أولويات منظمة العفو.",
    },
    {
        "en": "The quality of Amnesty's research must stay at the centre of its work.",
        "fr": "La qualité des recherches d'Amnesty doit rester au cœur de son travail.",
        "es": "La calidad de la investigación de Amnistía debe seguir siendo el centro de su trabajo.",
        "ar": "يجب أن تظل جودة أبحاث منظمة العفو في صميم عملها.",
    },
    {
        "en": "Amnesty's leadership should include quotas for people from marginalised groups.",
        "fr": "La direction d'Amnesty devrait inclure des quotas pour les personnes issues de groupes marginalisés.",
        "es": "La dirección de Amnistía debería incluir cuotas para personas de grupos marginados.",
        "ar": "ينبغي أن تتضمن قيادة منظمة العفو حصصاً لأشخاص من الفئات المهمشة.",
    },
    {
        "en": "Amnesty should tell more stories of hope and success, not only stories of abuse.",
        "fr": "Amnesty devrait raconter davantage d'histoires d'espoir et de réussite, pas seulement des histoires de violations.",
        "es": "Amnistía debería contar más historias de esperanza y de logros, no solo historias de abusos.",
        "ar": "ينبغي لمنظمة العفو أن تروي المزيد من قصص الأمل والنجاح، لا قصص الانتهاكات فقط.",
    },
    {
        "en": "Amnesty should campaign more on economic and social rights, such as housing and health.",
        "fr": "Amnesty devrait faire davantage campagne pour les droits économiques et sociaux, comme le logement et la santé.",
        "es": "Amnistía debería hacer más campañas sobre derechos económicos y sociales, como la vivienda y la salud.",
        "ar": "ينبغي لمنظمة العفو أن تكثّف حملاتها بشأن الحقوق الاقتصادية والاجتماعية، مثل السكن والصحة.",
    },
    {
        "en": "Amnesty should take governments and companies to court more often.",
        "fr": "Amnesty devrait plus souvent poursuivre des gouvernements et des entreprises en justice.",
        "es": "Amnistía debería llevar a gobiernos y empresas ante los tribunales con más frecuencia.",
        "ar": "ينبغي لمنظمة العفو أن تقاضي الحكومات والشركات أمام المحاكم بشكل أكثر تكراراً.",
    },
    {
        "en": "Amnesty should accept funding from governments.",
        "fr": "Amnesty devrait accepter des financements de gouvernements.",
        "es": "Amnistía debería aceptar financiación de gobiernos.",
        "ar": "ينبغي لمنظمة العفو أن تقبل التمويل من الحكومات.",
    },
    {
        "en": "Local activists, not the international office, should decide campaign priorities in their country.",
        "fr": "Ce sont les militant·e·s locaux, et non le bureau international, qui devraient décider des priorités de campagne dans leur pays.",
        "es": "Las personas activistas locales, y no la oficina internacional, deberían decidir las prioridades de campaña en su país.",
        "ar": "ينبغي أن يقرر الناشطون المحليون، لا المكتب الدولي، أولويات الحملات في بلدانهم.",
    },
    {
        "en": "Amnesty should work in more languages than English, French, Spanish and Arabic.",
        "fr": "Amnesty devrait travailler dans d'autres langues que l'anglais, le français, l'espagnol et l'arabe.",
        "es": "Amnistía debería trabajar en más idiomas, además del inglés, el francés, el español y el árabe.",
        "ar": "ينبغي لمنظمة العفو أن تعمل بلغات أخرى غير الإنجليزية والفرنسية والإسبانية والعربية.",
    },
    {
        "en": "Amnesty should support people who join peaceful protests, even when protests are banned.",
        "fr": "Amnesty devrait soutenir les personnes qui participent à des manifestations pacifiques, même lorsqu'elles sont interdites.",
        "es": "Amnistía debería apoyar a quienes participan en protestas pacíficas, incluso cuando las protestas están prohibidas.",
        "ar": "ينبغي لمنظمة العفو أن تدعم من يشاركون في الاحتجاجات السلمية، حتى عندما تكون الاحتجاجات محظورة.",
    },
    {
        "en": "Amnesty should speak out on fewer issues, with more impact.",
        "fr": "Amnesty devrait s'exprimer sur moins de sujets, avec plus d'impact.",
        "es": "Amnistía debería pronunciarse sobre menos temas, con más impacto.",
        "ar": "ينبغي لمنظمة العفو أن تتناول قضايا أقل، بتأثير أكبر.",
    },
    {
        "en": "Amnesty should hold technology companies accountable for the harm their platforms cause.",
        "fr": "Amnesty devrait demander des comptes aux entreprises technologiques pour les préjudices causés par leurs plateformes.",
        "es": "Amnistía debería exigir responsabilidades a las empresas tecnológicas por el daño que causan sus plataformas.",
        "ar": "ينبغي لمنظمة العفو أن تحاسب شركات التكنولوجيا على الأضرار التي تسببها منصاتها.",
    },
    {
        "en": "Amnesty should invest more in protecting activists' digital security.",
        "fr": "Amnesty devrait investir davantage dans la protection de la sécurité numérique des militant·e·s.",
        "es": "Amnistía debería invertir más en proteger la seguridad digital de las personas activistas.",
        "ar": "ينبغي لمنظمة العفو أن تستثمر أكثر في حماية الأمن الرقمي للناشطين.",
    },
    {
        "en": "Amnesty should share its resources and funding with smaller partner organisations.",
        "fr": "Amnesty devrait partager ses ressources et ses financements avec les petites organisations partenaires.",
        "es": "Amnistía debería compartir sus recursos y su financiación con organizaciones asociadas más pequeñas.",
        "ar": "ينبغي لمنظمة العفو أن تتقاسم مواردها وتمويلها مع المنظمات الشريكة الأصغر.",
    },
    {
        "en": "Membership should be cheaper, or free, for people on low incomes.",
        "fr": "L'adhésion devrait être moins chère, voire gratuite, pour les personnes à faibles revenus.",
        "es": "Ser miembro debería ser más barato, o gratuito, para las personas con bajos ingresos.",
        "ar": "ينبغي أن تكون العضوية أقل كلفة، أو مجانية، لذوي الدخل المحدود.",
    },
    {
        "en": "Amnesty should work with social media influencers to reach young people.",
        "fr": "Amnesty devrait collaborer avec des influenceur·euse·s sur les réseaux sociaux pour toucher les jeunes.",
        "es": "Amnistía debería colaborar con influencers de redes sociales para llegar a la gente joven.",
        "ar": "ينبغي لمنظمة العفو أن تتعاون مع المؤثرين على وسائل التواصل الاجتماعي للوصول إلى الشباب.",
    },
    {
        "en": "Amnesty should focus its campaigns on the countries where it can have the most impact.",
        "fr": "Amnesty devrait concentrer ses campagnes sur les pays où elle peut avoir le plus d'impact.",
        "es": "Amnistía debería centrar sus campañas en los países donde puede tener más impacto.",
        "ar": "ينبغي لمنظمة العفو أن تركّز حملاتها على البلدان التي يمكن أن تُحدث فيها أكبر أثر.",
    },
    {
        "en": "Young people should have a guaranteed place in Amnesty's decision-making.",
        "fr": "Les jeunes devraient avoir une place garantie dans les instances de décision d'Amnesty.",
        "es": "La gente joven debería tener un lugar garantizado en la toma de decisiones de Amnistía.",
        "ar": "ينبغي أن يكون للشباب مكان مضمون في صنع القرار داخل منظمة العفو.",
    },
]

# Answers the demo's simulated participants give, per question, in the four languages.
SAMPLE_ANSWERS = [
    [
        "Tell the stories of real people whose lives changed, not only statistics.",
        "Work with artists, musicians and local media that young people trust.",
        "Racontez des histoires positives, pas seulement des violations.",
        "Usar las redes sociales con mensajes cortos y en lenguas locales.",
        "التركيز على قصص النجاح والأمل وليس فقط على الانتهاكات.",
    ],
    [
        "Share funding and credit with local partner organisations.",
        "Listen to grassroots movements before launching campaigns in their country.",
        "Former les militants locaux et leur donner plus de responsabilités.",
        "Ser una aliada más humilde: apoyar a los movimientos locales en lugar de dirigirlos.",
        "الاستماع إلى المنظمات المحلية وتقاسم الموارد معها.",
    ],
    [
        "Take governments and companies to court more often.",
        "Use research to put pressure on companies that profit from abuses.",
        "Mobiliser des millions de personnes pour faire pression sur les dirigeants.",
        "Combinar la investigación rigurosa con campañas masivas en la calle.",
        "الضغط على الحكومات عبر الأمم المتحدة والمحاكم الدولية.",
    ],
    [
        "Recruit leaders from the global south and from marginalised communities.",
        "Make membership free for people on low incomes.",
        "Traduire tous les documents dans plus de langues.",
        "Dar a la gente joven un lugar real en la toma de decisiones.",
        "توظيف قادة من الجنوب العالمي ومن المجتمعات المهمشة.",
    ],
    [
        "Independent, rigorous research that everyone trusts.",
        "Being a global movement that can act everywhere at once.",
        "Son indépendance vis-à-vis des gouvernements et des entreprises.",
        "Defender a las personas en peligro, caso por caso.",
        "الاستقلالية والمصداقية في توثيق الانتهاكات.",
    ],
]
