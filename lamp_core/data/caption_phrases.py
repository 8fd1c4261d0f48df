"""Phrase tables the caption writers draw from: what each Bandai-Namco / synthetic content and
style means, in several wordings, and the vocabulary the CMU description converter reads.

Kept apart from the logic (captions.py, cmu_descriptions.py) so the wording can be reviewed and
grown as plain data. The Bandai entries follow what the motions really show (e.g. "walk-left" is
a forward walk drifting diagonally left, not a sidestep). Right-hand variants of the symmetric
contents are derived by mirroring the left-hand ones, so the two cannot disagree.
"""

from __future__ import annotations

# Subjects, noun subjects can take an adjective ("a tired man"); "someone" cannot.
NOUN_SUBJECTS = ("person", "man", "woman", "figure")
SUBJECTS = ("a person", "someone", "a man", "a woman", "a figure")

# Content kind decides which style wording fits: "gait" for locomotion (steps, stride, gait),
# anything else gets manner/way wording.
GAIT, GESTURE, ACTION, DANCE = "gait", "gesture", "action", "dance"

# content -> (kind, verb phrases in the third person singular present)
CONTENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "walk": (GAIT, ("walks forward", "is walking forward", "takes a few steps forward",
                    "walks straight ahead", "walks forward in a straight line")),
    "run": (GAIT, ("runs forward", "is running forward", "jogs forward", "runs straight ahead")),
    "dash": (GAIT, ("dashes forward", "sprints forward a short distance", "makes a short, fast sprint forward",
                    "bursts into a quick sprint straight ahead")),
    "walk-back": (GAIT, ("walks backwards", "is walking backward", "takes a few steps backwards",
                         "steps backwards one foot after the other")),
    "walk-left": (GAIT, ("walks diagonally forward to the left", "walks forward while drifting to the left",
                         "walks forward at an angle to the left", "heads diagonally forward and to the left",
                         "walks forward and diagonally to the left")),
    "walk-turn-left": (GAIT, ("turns to the left while walking", "walks forward and turns left",
                              "walks and makes a left turn", "is walking and turns to the left",
                              "walks, then turns ninety degrees to the left")),
    "bow": (GESTURE, ("bows from the waist", "bows politely", "takes a bow, bending at the waist",
                      "bends forward at the waist in a bow")),
    "bye": (GESTURE, ("waves goodbye with the right hand", "raises the right hand and waves goodbye",
                      "says goodbye, waving the right hand", "waves bye with the right hand")),
    "byebye": (GESTURE, ("waves goodbye with both hands", "waves both arms in a big, repeated goodbye",
                         "waves goodbye again and again with both hands",
                         "says goodbye with big waves of both hands")),
    "guide": (GESTURE, ("gestures with an open hand to show the way", "shows another person the way with an open hand",
                        "makes a guiding gesture with an open palm", "points the way with an open hand")),
    "respond": (GESTURE, ("raises the left hand high to respond", "answers by raising the left hand high",
                          "puts the left hand up high, as if to answer", "responds by lifting the left hand high")),
    "call": (GESTURE, ("beckons another person over with both arms", "calls someone over, waving both arms",
                       "waves both arms to call a friend over", "beckons with both arms for somebody to come")),
    "punch": (ACTION, ("throws punches", "punches with the fists", "throws a series of punches",
                       "punches the air like a fighter")),
    "kick": (ACTION, ("kicks", "throws a series of kicks", "kicks like a fighter", "kicks out with the legs")),
    "slash": (ACTION, ("slashes as if with a sword", "swings an imaginary sword in slashing strokes",
                       "makes slashing strokes like a swordsman", "slashes again and again with a sword")),
    "dance-long": (DANCE, ("dances", "performs a long dance routine", "dances a long routine", "is dancing")),
    "dance-short": (DANCE, ("does a short dance", "performs a short dance routine", "dances briefly",
                            "dances a short routine")),
    "wave-both-hands": (GESTURE, ("waves both hands", "is waving with both hands", "raises both hands and waves them",
                                  "waves with both arms")),
    "wave-left-hand": (GESTURE, ("waves the left hand", "waves with the left hand", "raises the left hand and waves",
                                 "is waving the left hand")),
    "raise-up-both-hands": (GESTURE, ("raises both hands up", "lifts both arms above the head",
                                      "puts both hands up in the air", "raises both arms high")),
    "raise-up-left-hand": (GESTURE, ("raises the left hand", "lifts the left arm up", "puts the left hand up",
                                     "raises the left arm high")),
    "jump": (ACTION, ("jumps", "jumps up", "jumps up and lands", "makes a jump")),
    "squat": (ACTION, ("squats down", "does a squat", "squats and stands back up", "bends the knees into a squat")),
    "kick-left": (ACTION, ("kicks with the left leg", "does a kick with the left foot", "kicks out with the left leg",
                           "kicks forward with the left foot")),
}
# Contents whose right-hand twin is the mirror image of the left-hand one.
MIRRORED = {"walk-right": "walk-left", "walk-turn-right": "walk-turn-left", "wave-right-hand": "wave-left-hand",
            "raise-up-right-hand": "raise-up-left-hand", "kick-right": "kick-left"}

IDLE = ("stands idle, shifting weight from foot to foot", "waits in place, fidgeting slightly",
        "stands still and waits, shifting weight", "stands in place, fidgeting a little",
        "idles on the spot, swaying slightly", "stands around waiting, shifting from one foot to the other")

# style -> wording. adj: before a noun subject ("a tired man"); adv: after the verb phrase, fits any
# content; gait: after a locomotion verb only; manner: after a non-locomotion verb only; lead: a
# phrase before the subject. Every wording says what the style looks like, not only its name.
STYLES: dict[str, dict[str, tuple[str, ...]]] = {
    "normal": dict(adj=(), adv=("normally", "casually"), gait=("at a normal pace", "at an easy, natural pace"),
                   manner=("in a natural way", "in an ordinary way"), lead=()),
    "happy": dict(adj=("happy", "cheerful", "joyful"), adv=("happily", "cheerfully", "in a happy mood"),
                  gait=("with a bouncy, happy step", "with a cheerful spring in the step"),
                  manner=("in a cheerful manner", "with obvious joy"),
                  lead=("in a happy mood,", "full of joy,", "cheerfully,")),
    "sad": dict(adj=("sad", "sorrowful", "downcast"), adv=("sadly", "in a sad mood", "gloomily"),
                gait=("with slow, heavy, sad steps", "with a sad, drooping gait"),
                manner=("in a sad, dejected manner", "with a sad, drooping posture"),
                lead=("feeling sad,", "looking downcast,", "sadly,")),
    "angry": dict(adj=("angry", "furious", "irritated"), adv=("angrily", "in an angry mood", "furiously"),
                  gait=("with angry, stomping steps", "with a forceful, angry stride"),
                  manner=("in an angry, aggressive manner", "with angry, forceful movements"),
                  lead=("in a fit of anger,", "angrily,", "full of anger,")),
    "proud": dict(adj=("proud", "confident, proud"),
                  adv=("proudly", "with the chest out and the head held high", "with great pride"),
                  gait=("with a proud stride, chest out and head high", "with a proud, upright gait"),
                  manner=("in a proud manner, chest out and head high", "with a proud, upright posture"),
                  lead=("with the chest out and the head held high,", "proudly,", "full of pride,")),
    "not-confident": dict(adj=("timid", "hesitant", "insecure"),
                          adv=("timidly", "hesitantly", "without confidence, hunched over"),
                          gait=("with timid, hesitant steps", "with a hesitant, hunched gait"),
                          manner=("in a timid, hesitant manner", "in an unsure, hunched way"),
                          lead=("lacking confidence,", "hesitantly,", "timidly,")),
    "masculine": dict(adj=("burly, masculine", "strong, masculine", "manly"),
                      adv=("in a masculine way", "in a strong, manly way"),
                      gait=("with a broad, strong, masculine stride", "with a wide, manly gait"),
                      manner=("in a broad, strong, masculine manner", "with strong, manly movements"),
                      lead=("in a strong, masculine way,", "acting very manly,")),
    "feminine": dict(adj=("graceful, feminine", "elegant, feminine", "ladylike"),
                     adv=("gracefully", "in a feminine way", "in a graceful, feminine way"),
                     gait=("with a graceful, feminine gait", "with light, graceful, feminine steps"),
                     manner=("in a graceful, feminine manner", "with graceful, feminine movements"),
                     lead=("gracefully,", "in a feminine way,", "elegantly,")),
    "childish": dict(adj=("childlike", "playful, childish"),
                     adv=("playfully, like a child", "in a childish way", "like a playful child"),
                     gait=("with playful, childlike steps", "with a bouncy, childish gait"),
                     manner=("in a playful, childish manner", "with playful, childlike movements"),
                     lead=("like a playful child,", "acting childish,", "playfully, like a kid,")),
    "old": dict(adj=("old, stooped", "elderly", "frail old", "stiff, elderly"),
                adv=("slowly and stiffly, like an old person", "like an elderly person, slow and stiff",
                     "in a slow, stiff, elderly way"),
                gait=("with slow, stiff, hunched steps", "with the slow, stiff gait of an old person",
                      "hunched over, with slow, stiff steps"),
                manner=("in a slow, stiff, elderly manner", "slowly and stiffly, hunched like an old person"),
                lead=("hunched like an old person,", "slowly and stiffly,", "moving like an elderly person,")),
    "tired": dict(adj=("tired", "exhausted", "weary"), adv=("wearily", "tiredly", "as if exhausted"),
                  gait=("with weary, dragging steps", "with a tired, dragging gait"),
                  manner=("in a weary, tired manner", "with slow, tired movements"),
                  lead=("exhausted,", "worn out,", "wearily,")),
    "active": dict(adj=("energetic", "lively", "active"),
                   adv=("energetically", "with a lot of energy", "in a lively way"),
                   gait=("with energetic, lively steps", "with a brisk, lively stride"),
                   manner=("in an energetic, lively manner", "with lively, energetic movements"),
                   lead=("full of energy,", "energetically,", "in a lively mood,")),
    "musical": dict(adj=("theatrical", "rhythmic, theatrical"),
                    adv=("rhythmically, as if in a musical", "theatrically, like a performer in a musical",
                         "like a number in a musical"),
                    gait=("with rhythmic, theatrical steps as if in a musical",
                          "with a theatrical, rhythmic stride like a stage performer"),
                    manner=("in a rhythmic, theatrical manner as if in a musical", "with theatrical, musical flair"),
                    lead=("as if performing in a musical,", "theatrically,", "like a stage performer in a musical,")),
    "giant": dict(adj=("hulking, heavy", "huge, heavy", "lumbering"),
                  adv=("like a giant, heavy and slow", "heavily, like a lumbering giant"),
                  gait=("with heavy, lumbering steps like a giant", "with the heavy, lumbering gait of a giant"),
                  manner=("in a heavy, lumbering manner like a giant", "with heavy, slow movements like a giant"),
                  lead=("like a lumbering giant,", "heavy and slow like a giant,", "moving like a heavy giant,")),
    "chimpira": dict(adj=("swaggering, thuggish", "thuggish", "swaggering"),
                     adv=("like a swaggering street punk", "in a swaggering, thuggish way", "with a thuggish swagger"),
                     gait=("with a swaggering, thuggish gait", "with the swagger of a street thug"),
                     manner=("in a swaggering, thuggish manner", "like a swaggering thug"),
                     lead=("with a thuggish swagger,", "swaggering like a street punk,", "acting like a thug,")),
    "youthful": dict(adj=("youthful", "sprightly", "young, sprightly"),
                     adv=("youthfully", "in a sprightly, youthful way", "with youthful energy"),
                     gait=("with sprightly, youthful steps", "with a light, youthful stride"),
                     manner=("in a sprightly, youthful manner", "with light, youthful movements"),
                     lead=("full of youthful energy,", "sprightly and youthful,", "with a youthful spring,")),
}
STYLE_ALIASES = {"masculinity": "masculine", "elderly": "old", "exhausted": "tired"}

# The label vocabularies this table covers (also what the tests enumerate).
BANDAI1_CONTENTS = ("walk", "run", "dash", "walk-back", "walk-left", "walk-right", "bow", "bye", "guide", "byebye",
                    "respond", "call", "punch", "kick", "slash", "dance-long", "dance-short")
BANDAI1_STYLES = ("normal", "happy", "sad", "angry", "proud", "not-confident", "masculinity", "feminine",
                  "childish", "old", "tired", "active", "musical", "giant", "chimpira")
BANDAI2_CONTENTS = ("walk", "walk-turn-left", "walk-turn-right", "run", "wave-both-hands", "wave-left-hand",
                    "wave-right-hand", "raise-up-both-hands", "raise-up-left-hand", "raise-up-right-hand")
BANDAI2_STYLES = ("active", "elderly", "exhausted", "feminine", "masculine", "normal", "youthful")
SYNTHETIC_CONTENTS = ("walk", "run", "walk-back", "walk-turn-left", "walk-turn-right", "jump", "wave-left-hand",
                      "wave-right-hand", "wave-both-hands", "raise-up-both-hands", "squat", "kick-left",
                      "kick-right", "idle")
SYNTHETIC_STYLES = (None, "active", "exhausted")


# ------------------------------------------------------------------ CMU description vocabulary
# What cmu_descriptions.py knows about the csv's words: how adjectives become adverbials, which
# nouns take which article, set activities, typo fixes, idiom rewrites and rows that name no motion.

# adjectives before the verb (or glued phrases after it) -> adverbials
MANNER = {
    "slow": "slowly", "brisk": "briskly", "quick": "quickly", "fast": "fast", "careful": "carefully",
    "stiff": "stiffly", "normal": "normally", "regular": "normally", "neutral": "normally",
    "casual": "casually", "confident": "confidently", "sad": "sadly", "happy": "happily",
    "excited": "excitedly", "silent": "silently", "bouncy": "with a bounce", "clumsy": "clumsily",
    "shy": "shyly", "scared": "fearfully", "sexy": "seductively", "cool": "coolly", "macho": "in a macho way",
    "lavish": "lavishly", "achey": "as if aching", "depressed": "dejectedly", "stern": "sternly",
    "spastic": "jerkily", "attitude": "with attitude", "stumble": "stumbling", "angry": "angrily",
    "creeping": "in a creeping way", "sneaking": "sneakily", "sneaky": "sneakily", "random": "around randomly",
    "straight": "in a straight line", "ghetto": "with a swagger", "happy_go_luck": "in a carefree way",
    "hurt_leg": "with a hurt leg",
    "wounded_leg": "with a wounded leg", "hurt_stomach": "as if the stomach hurts",
    "drag_bad_leg": "dragging a bad leg", "painful_left_knee": "with a painful left knee",
    "elated": "elatedly", "joy": "joyfully", "relaxed": "in a relaxed way", "rushed": "hurriedly",
    "childish": "childishly", "cold": "shivering as if cold", "upset": "in an upset way",
    "very_happy": "very happily", "duck_footed": "with the feet turned out",
    "pigeon_toed": "with the toes turned in", "alternating": "in turns", "synchronized": "in sync with a partner",
    "evasive": "evasively", "surprised": "in surprise", "extra_fancy": "fancily", "quasi": "",
}
# characters and animals -> "like a ..."
CHARACTERS = {c: ("an " if c[0] in "aeiou" else "a ") + c.replace("_", " ") for c in """monkey chicken
prairie_dog bear dog snake mouse cat elephant whale pterosaur tyrannosaurus_rex t_rex dinosaur penguin
dragon hummingbird roadrunner insect praying_mantis ghost squirrel genie animal dancing_bear panda
hippo_ballerina dancing_animal dancing_ant fish bird chipmunk cow tiger horse gorilla panther devil superhero
robot zombie mummy alien old_man strong_man sexy_lady graceful_lady gangly_teen elderly_man soldier flamingo
quail airplane""".split()}
CHARACTERS.update({"t_rex": "a tyrannosaurus rex", "drunk": "a drunk person", "frankenstein": "frankenstein",
                   "mickey": "mickey mouse",
                   "various_animals": "various animals", "soldiers": "soldiers"})
# nouns that take "a"/"an" when bare ("kick ball" -> "kicks a ball"); "the" nouns; body parts
COUNT_NOUNS = set("""ball basketball football box toolbox stool stepstool chair ladder ledge suitcase umbrella
object bar platform rope nail bolt wrench tree plant flower picture swing broom dustpan mirror mug gun baby
hat coat jacket sweater pullover dress skirt phone laptop sandwich beer bottle martini window wall bug fly
seat path line circle obstacle sidewalk glass wallet basket hole thing tee shot partner zigzag figure_eight
flashlight attacker bus spell backflip limp cap chalkboard layup friend stumble bow arabesque pirouette jete""".split())
THE_NOUNS = set("floor ground stairs air waist side bottlecap piano violin drums".split())
BODY = set("""head shoulder shoulders arm arms leg legs hand hands knee knees hip hips body forearm forearms
foot feet toe toes elbow elbows chin face teeth hair fists fist forehead ear ankle wrist neck heel finger fingers
thumb""".split())
NO_ARTICLE_BODY = {"teeth", "hair", "hands", "fists"}
ATTACH_NOUNS = {"stride", "steps", "gait", "pace", "posture", "arms", "legs"}
TOOLS = {"wrench", "saw", "hand_saw", "flashlight", "hammer"}
DIRECTIONS = set("""forward backward backwards sideways diagonally around up down over under underneath through
out away off along across in back again""".split())
SIDES = {"left", "right"}
LIGHT = {"turn": "make", "turns": "make", "signals": "make", "gestures": "make", "motions": "make",
         "pose": "hold", "stance": "hold", "stop": "make", "step": "take", "steps": "take", "sidestep": "take",
         "walk": "take",
         "stroke": "swim"}
LIMB = {"kick": "leg", "punch": "hand", "block": "arm", "lunge": "leg", "reach": "arm", "lunges": "leg"}
PRONOUNS = set("it them themselves something someone somebody anything another person".split())
POSTNOMINAL = set("high low apart out up down straight wide together bent crossed held lowered raised".split())
DANCES = set("salsa lambada charleston lindy_hop macarena twist dive cabbage_patch egyptian_walk".split())
DETERMINERS = set("""a an the this that these those his her its their my your our some any each every all both
another one two three four five other few several many""".split())
PREPS = set("""on in at to from with without into onto under along through across against off of by for
near behind above below like while onto""".split())
NUMBER_WORDS = {"2": "two", "3": "three", "4": "four", "5": "five"}
ACTIVITIES: dict[str, tuple[str, str]] = {   # glued tokens -> fixed (verb, rest)
    "jumping_jacks": ("do", "jumping jacks"), "tai_chi": ("do", "tai chi"), "yoga": ("do", "yoga"),
    "sun_salutation": ("do", "a sun salutation"), "swordplay": ("fight", "with a sword"),
    "breast_stroke": ("swim", "breaststroke"), "break_stroke": ("swim", "breaststroke"),
    "back_stroke": ("swim", "backstroke"), "fly_stroke": ("swim", "butterfly"), "butterfly": ("swim", "butterfly"),
    "hopscotch": ("play", "hopscotch"), "peekaboo": ("play", "peekaboo"), "peek_a_boo": ("play", "peekaboo"),
    "ring_around_the_rosie": ("play", "ring around the rosie"), "high_five": ("give", "a high five"),
    "low_five": ("give", "a low five"), "arm_wrestle": ("do", "an arm wrestle"),
    "shoulder_rub": ("give", "a shoulder rub"), "hand_signals": ("make", "hand signals"),
    "hand_gestures": ("make", "hand gestures"), "hand_motions": ("make", "hand motions"),
    "channel_surfing": ("flip", "through tv channels"), "motorcycle": ("pretend", "to ride a motorcycle"),
    "motorcycle_pose": ("pretend", "to ride a motorcycle"), "tv": ("watch", "tv"),
    "weight_lifting": ("lift", "weights"), "football": ("play", "football"), "frisbee": ("throw", "a frisbee"),
    "thinker": ("pose", "like the thinker statue"), "conversation": ("have", "a conversation"),
    "idle": ("stand", "idle"), "cartwheels": ("do", "cartwheels"), "backflips": ("do", "backflips"),
    "handstands": ("do", "handstands"), "hand_spring": ("do", "a handspring"), "pushups": ("do", "pushups"),
    "squats": ("do", "squats"), "lunges": ("do", "lunges"), "somersault": ("do", "a somersault"),
    "piano": ("play", "the piano"), "violin": ("play", "the violin"), "empi": ("perform", "a karate kata"),
    "bassai": ("perform", "a karate kata"), "heian_shodan": ("perform", "a karate kata"),
    "gedan_barai": ("do", "a karate downward block"), "mawashi_geri": ("do", "a karate roundhouse kick"),
    "oi_zuki": ("do", "a karate lunge punch"), "shuto_uke": ("do", "a karate knife hand block"),
    "yoko_geri": ("do", "a karate side kick"), "coffee_mug": ("drink", "from a coffee mug"),
    "chicken_dance": ("do", "the chicken dance"), "russian_dance": ("do", "a russian folk dance"),
    "shake_hands": ("shake", "hands"), "hand_shake": ("shake", "hands"),
    "stretch_walk": ("walk", "with long, stretched strides"), "ball_walk": ("walk", "on a ball"),
    "blind_mans_bluff": ("play", "blind man's bluff"), "arabesque": ("do", "an arabesque"),
    "pirouette": ("do", "a pirouette"), "pirouettes": ("do", "pirouettes"), "jete": ("do", "a jete"),
    "jetes": ("do", "jetes"), "glissade": ("do", "a glissade"), "kick_flip": ("do", "a kick flip"),
    "helicopter": ("do", "a helicopter spin"), "fancy_foot_work": ("do", "fancy footwork"),
    "handstand_kicks": ("do", "handstand kicks"), "box_jump": ("do", "a box jump"),
    "jump_kick": ("do", "a jump kick"), "spin_kick": ("do", "a spin kick"), "spin_kicks": ("do", "spin kicks"),
    "jump_turn": ("do", "a jump turn"), "jump_twist": ("do", "a jump twist"),
    "jumping_twists": ("do", "jumping twists"),
    "pump_jump": ("do", "a pump jump"), "front_kick": ("do", "a front kick"), "side_flip": ("do", "a side flip"),
    "front_hand_flip": ("do", "a front handspring"), "knee_kick": ("do", "a knee kick"),
    "knee_kicking": ("do", "knee kicks"), "turn_step": ("do", "a turn step"), "backflip": ("do", "a backflip"),
    "handstand": ("do", "a handstand"),
}
TYPOS = {"fwd": "forward", "bwk": "backward", "bck": "backward", "bkwd": "backward", "flp": "flip",
         "twst": "twist", "summersult": "somersault", "sraight": "straight", "tigher": "tighter", "steop": "step",
         "ang": "and", "sideway": "sideways", "deoderant": "deodorant", "martinee": "martini", "rosey": "rosie",
         "chip monk": "chipmunk", "sequnce": "sequence", "sequesnce": "sequence", "heiansyodan": "heian shodan",
         "gedanbarai": "gedan barai", "mawashigeri": "mawashi geri", "oiduki": "oi zuki", "syutouuke": "shuto uke",
         "yokogeri": "yoko geri", "elderlyman": "elderly man", "painfulleftknee": "painful left knee",
         "t rex": "t rex", "tool box": "toolbox", "pull over": "pullover", "motor cycle": "motorcycle",
         "side step": "sidestep", "zig zag": "zigzag", "bannana": "banana", "xtra": "extra", "laying": "lying",
         "stepping up / stepping down": "stepping up and down", "free style dribble": "freestyle dribble",
         "back flip": "backflip", "under hand": "underhand", "hand stand": "handstand", "fanc y": "fancy"}
# whole-idiom rewrites into plain English the general rules read correctly (regex, replacement)
REWRITES = [   # (regex, replacement), applied in order to each clause
    (r"\bself\b", "themselves"),
    ("^friends meet", "meet a friend"),
    (", a younger child,", ""),
    ("^muscular, heavyset persons? walk$", "walk like a muscular heavyset person"),
    ("^hard days drink$", "drink after a hard day"),
    ("^cross leg run$", "run crossing the legs"),
    ("^wide leg run$", "run with the legs wide apart"),
    ("^arm up wide leg roll$", "roll with one arm up and the legs wide apart"),
    ("^wide leg roll$", "roll with the legs wide apart"),
    ("^(low|medium|high) sit$", r"sit down on a \1 seat"),
    ("^2 jump$", "jump with both feet"),
    (r"^(\d+)( degree)? jumps?$", r"jump, turning \1 degrees in the air"),
    ("^2 foot jump$", "jump with both feet"),
    ("^angle jumps$", "jump at an angle"),
    ("legs push off against", "push off with the legs"),
    (", repeat$", " repeatedly"),
    ("lay up shot", "shoot a layup"),
    ("^free style$", "swim freestyle"),
    ("turn both directions", "turn in both directions"),
    ("around the world high five low", "give high fives high and low"),
    (r"\bno ball\b", "without a ball"),
    ("^walk evasive (left|right)$", r"walk evasively to the \1"),
    ("^(left|right) (tight|wide) turn$", r"make a \2 \1 turn"),
    ("^super tight (left|right)$", r"make a very tight \1 turn"),
    ("^running (wide|tighter) (left|right)$", r"run in a \1 curve to the \2"),
    ("^offensive move spin (left|right)$", r"spin to the \1 in an offensive move"),
    ("^offensive move go (left|right)$", r"drive to the \1 in an offensive move"),
    ("^feint (left|right) move (left|right)$", r"feint to the \1, then move to the \2"),
    ("^fake shot break (left|right)$", r"fake a shot, then break to the \1"),
    ("^defensive straight no stop$", "shuffle forward defensively without stopping"),
    ("^defensive straight with stop$", "shuffle forward defensively, then stop"),
    ("^defensive (left|right) stop to stop$", r"shuffle defensively to the \1 from stop to stop"),
    ("^defensive move zigzag$", "shuffle defensively in a zigzag"),
    ("^defensive move side to side$", "shuffle defensively from side to side"),
    ("^straight drive from stop$", "drive straight ahead from a stop"),
    ("^(left|right) drive$", r"drive to the \1"),
    (", exact foot ?falls$", ""),
    (r"\bmale walk", "walk"),
    ("walk right angle turns$", "walk, making right angle turns"),
    ("^endof break dance$", "finish a breakdance"),
    ("^break ?sequence ?with ?flips$", "breakdance with flips"),
    ("^90 ?twists ?fall$", "twist, then fall"),
    ("^kick flip stumble$", "do a kick flip, then stumble"),
    ("^rug ?pull ?fall$", "fall as if a rug were pulled away"),
    ("^banana ?peel ?slip$", "slip as if on a banana peel"),
    ("^ball mount$", "climb onto a ball"),
    ("^monkey sequence$", "monkey"),
    ("^balance beam$", "walk on a balance beam"),
    ("two handed dribble", "dribble with both hands"),
    ("^singing in the rain jump$", "jump joyfully as in singing in the rain"),
    ("^jump(ing)? distances$", "jump different distances"),
    ("^jumping heights$", "jump to different heights"),
    ("^step on walk down$", "step up onto something, then walk down"),
    ("^(walk|run|jog) to (sneak|stop|quick stop|run)$", r"\1, then \2"),
    ("^get up from ground lying on back$", "get up from lying on the back"),
    ("^get up face down$", "get up from lying face down"),
    ("^get up lying on side$", "get up from lying on the side"),
    (r"\blay down", "lie down"),
    (r"\blays down", "lies down"),
    ("button up sweater", "sweater with buttons"),
    ("^taking a movie$", "film with a camera"),
    ("^basketball shoot$", "shoot a basketball"),
    ("^basketball free throw$", "shoot a basketball free throw"),
    ("^basketball jump shot$", "take a basketball jump shot"),
    ("^basketball lay up$", "shoot a basketball layup"),
    ("^baseball swing$", "swing a baseball bat"),
    ("^baseball bunt$", "bunt with a baseball bat"),
    ("^baseball pitch$", "pitch a baseball"),
    ("^underhand toss$", "toss a ball underhand"),
    ("^underhand fast pitch$", "pitch a ball underhand fast"),
    ("^walk crossover$", "walk, crossing one foot over the other"),
    ("^walk zigzag$", "walk in a zigzag"),
    (r"\bon toes\b", "on tiptoe"),
    ("^mickey surprised$", "act surprised like mickey"),
    (r"\bpicking box up, bending knees$", "pick a box up, bending the knees"),
    (", bend from waist$", ", bending from the waist"),
    ("foot to foot$", "stepping from foot to foot"),
    (", cross legs$", ", crossing the legs"),
    ("^happy or fast walk", "happy fast walk"),
    ("^adjust hair walk", "adjust hair and walk"),
    (", forward, and up$", " and forward and up"),
    (r"\bhop (and )?turn", "hop, turning"),
    ("^jump small forward$", "jump a short distance forward"),
    ("charleston side by side (fe)?male", "dance the charleston side by side with a partner"),
    ("digital figure eight", "figure eight"),
    ("^robotic like motion$", "moving robotically"),
    (r"\bthe other knee\b", "the other knee"),
    ("^ready stance$", "hold a ready stance"),
    ("^basketball signals$", "make basketball referee signals"),
    ("^walk, exaggerated stride$", "walk with an exaggerated stride"),
    ("^fix hair", "fix their hair"),
    ("^walk and carry$", "walk, carrying something"),
    ("^standing still$", "stand still"),
    ("^standing$", "stand in place"),
    ("^shifting weight$", "shift weight from foot to foot"),
    (r"\bon back\b", "on the back"),
    ("^figure eight$", "walk a figure eight"),
    ("^mummy figure eight$", "mummy walk figure eight"),
    ("punch sequence", "punch repeatedly"),
    ("spin reach", "spin and reach"),
    ("^hammering sequence$", "hammer repeatedly"),
    (", with putting bolt in$", ", putting the bolt in"),
    (r"\bhalt$", "stop"),
    ("cartwheel like start", "start with a cartwheel"),
    ("bring back leg forward", "bring the back leg forward"),
    ("^traffic walk$", "walk as if through traffic"),
    ("^too cool walk$", "walk acting too cool"),
    ("^walk forward and pick up object, set down object$", "walk forward, pick up an object, set it down"),
]
JUNK = {"", "clean", "cleaned", "story", "range of motion", "calibration", "dynamic calibration",
        "subject calibration", "t pose", "tpose", "bad amc", "movie and trial dont match", "no movie",
        "lost marker", "sequence", "long sequence good", "bad start sequence", "up right sequence",
        "alaskan vacation", "alaska vacation", "start", "forward", "small forward", "360 small stumble"}
