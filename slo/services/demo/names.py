"""Word lists for made-up people, schools and places.

Every name the demo writes is assembled from these lists at random, so any
resemblance to a real person or school is a coincidence. A few entries carry
apostrophes, ampersands and square brackets on purpose: the desk must render
user text literally (never as markup), and the demo data exercises that.
"""

from __future__ import annotations

GIVEN_FEMALE = [
    "Amara", "Ava", "Bethany", "Chloe", "Daisy", "Ellie", "Erin", "Esme", "Fatima", "Freya",
    "Grace", "Hana", "Imogen", "Isla", "Jade", "Kayla", "Leah", "Lily", "Maya", "Mia",
    "Nadia", "Niamh", "Olivia", "Poppy", "Priya", "Rosie", "Ruby", "Sadia", "Sienna", "Tia",
    "Zara", "Zainab", "Aoife", "Chanelle", "Keira", "Layla",
]
GIVEN_MALE = [
    "Aaron", "Adam", "Alfie", "Ayaan", "Ben", "Callum", "Charlie", "Connor", "Daniel", "Dylan",
    "Ethan", "Finley", "George", "Harley", "Harry", "Ibrahim", "Isaac", "Jack", "Jayden", "Josh",
    "Kai", "Kian", "Kyle", "Leo", "Liam", "Mason", "Mohammed", "Nathan", "Oliver", "Reece",
    "Riley", "Ryan", "Tyler", "Yusuf", "Zak", "Kofi", "Tomasz", "Dev",
]
GIVEN_OTHER = ["Alex", "Charlie", "Jordan", "Sam", "Robin", "Frankie", "Jamie", "Riley"]
FAMILY = [
    "Ahmed", "Ali", "Allen", "Atkinson", "Baker", "Begum", "Bennett", "Brown", "Campbell", "Clarke",
    "Collins", "Cooper", "Davies", "Edwards", "Evans", "Fletcher", "Green", "Hall", "Harris", "Hughes",
    "Hussain", "Jackson", "James", "Johnson", "Jones", "Kaur", "Khan", "Kowalski", "Lewis", "Marsh",
    "Mensah", "Mitchell", "Morgan", "Murphy", "Nowak", "Okafor", "Owusu", "Patel", "Phillips", "Price",
    "Reid", "Roberts", "Robinson", "Shah", "Singh", "Smith", "Taylor", "Thomas", "Turner", "Walker",
    "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young", "O'Neill", "O'Brien",
    "D'Souza", "McAllister", "Nguyen", "Osei", "Adeyemi", "Kelly", "Doherty", "Lee", "Chen", "Rahman",
]
OFFICER_GIVEN = [
    "Sam", "Jo", "Priya", "Tom", "Kate", "Dan", "Aisha", "Rob", "Nina", "Lee", "Gemma", "Mark",
    "Hannah", "Raj", "Claire", "Owen", "Becky", "Imran", "Laura", "Steve", "Ruth", "Femi", "Gareth",
    "Shona", "Vikram", "Ellen", "Paul", "Tasha", "Chris", "Naomi",
]
#: place-name parts for schools, teams and local authorities (made up)
PLACE_START = [
    "North", "South", "East", "West", "Oak", "Ash", "Elm", "Birch", "Hazel", "Willow", "Brook",
    "Mill", "Church", "Castle", "Bridge", "Stone", "Red", "Green", "Fair", "High", "Long", "Kings",
    "Queens", "Holly", "Marsh", "Orchard", "Rose", "Hollin", "Thorn", "Ferny",
]
PLACE_END = [
    "field", "gate", "wood", "bridge", "ton", "ford", "ley", "mead", "bury", "wick", "dale", "ham",
    "well", "moor", "side", "hurst", "stead", "worth", "combe", "lands",
]
SAINTS = ["Mary's", "Joseph's", "Peter's", "Anne's", "John's", "Michael's", "Bede's", "Teresa's", "Luke's"]
PRIMARY_SUFFIX = [
    "Primary School", "Primary Academy", "Junior School", "Infant and Junior School", "C of E [VA] Primary",
]
SECONDARY_SUFFIX = [
    "Academy", "High School", "School", "Community College", "& District High School", "Secondary [VC] School",
]
SPECIAL_SUFFIX = ["School [SEMH]", "Special School", "Learning Centre"]
AP_SUFFIX = ["Pupil Referral Unit", "Alternative Provision Academy", "Tuition Centre [AP]"]
ALL_THROUGH_SUFFIX = ["All-Through School", "Academy [3-18]"]
POST16_SUFFIX = ["Sixth Form College", "College"]
HEAD_TITLES = ["Ms", "Mrs", "Mr", "Dr", "Miss"]
#: adults' given names for head teachers, by the title's sex (``Dr`` takes either)
HEAD_GIVEN_FEMALE = [
    "Alison", "Amanda", "Angela", "Bernadette", "Carol", "Deborah", "Fiona", "Helen", "Janet", "Joanne",
    "Karen", "Lesley", "Lorraine", "Margaret", "Nicola", "Rachel", "Sarah", "Sharon", "Susan", "Yvonne",
    "Farzana", "Ngozi", "Parveen", "Siobhan",
]
HEAD_GIVEN_MALE = [
    "Andrew", "Anthony", "Brian", "Colin", "David", "Graham", "Ian", "Jonathan", "Keith", "Kevin",
    "Martin", "Matthew", "Neil", "Nigel", "Peter", "Richard", "Simon", "Stuart", "Timothy", "Warren",
    "Adebayo", "Hamid", "Rajesh", "Declan",
]
#: more family names, drawn only when a name is already taken (every person's name is distinct)
FAMILY_MORE = [
    "Abbott", "Akhtar", "Archer", "Armstrong", "Asante", "Bailey", "Barker", "Barnes", "Bell", "Bibi",
    "Bird", "Bradley", "Brooks", "Burton", "Butler", "Carter", "Chapman", "Chowdhury", "Cole", "Cox",
    "Dixon", "Dunn", "Ellis", "Farrell", "Fisher", "Foster", "Fox", "Gill", "Gordon", "Graham",
    "Grant", "Gray", "Hamilton", "Hart", "Hayes", "Henderson", "Hill", "Holmes", "Hunt", "Iqbal",
    "Kennedy", "King", "Knight", "Lawson", "Lloyd", "Lucas", "Mahmood", "Marshall", "Mason", "Matthews",
    "Miah", "Mills", "Moore", "Morris", "Murray", "Nash", "Nicholson", "Obi", "Palmer", "Parker",
    "Parry", "Pearce", "Powell", "Quinn", "Riley", "Rose", "Russell", "Saunders", "Scott", "Sharma",
    "Simpson", "Stevens", "Stewart", "Sullivan", "Sutton", "Thompson", "Tran", "Wallace", "Webb", "Wells",
    "West", "Whitehead", "Wisniewski", "Yilmaz", "Zielinski", "Ferreira", "Santos", "Popescu", "Mahmoud",
    "Haddad",
]
POSTCODE_AREAS = ["NB", "SM", "EW", "WH", "KX", "QT", "RV", "LF"]  # made up; not real postcode areas

TEAM_AREAS = ["North", "South", "East", "West", "Central", "Riverside", "Hillside", "Harbour", "Valley", "Forest"]
