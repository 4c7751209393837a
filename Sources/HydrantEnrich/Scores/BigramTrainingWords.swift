/// The word list the standard bigram model is trained on: common English words and the vocabulary of service and
/// brand names (written for this project). Benign domain labels are mostly such words, joined or abbreviated.
enum BigramTrainingWords {
    static let all: [String] = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    private static let text = """
    the be to of and a in that have it for not on with he as you do at this but his by from they we say her she or
    an will my one all would there their what so up out if about who get which go me when make can like time no
    just him know take people into year your good some could them see other than then now look only come its over
    think also back after use two how our work first well way even new want because any these give day most us is
    are was were been being has had having does did doing said says made making went going gone came coming took
    taking saw seen seeing knew known knowing thought thinking gave given giving told telling found finding called
    calling asked asking seemed feeling left leaving kept keeping began beginning shown showing heard hearing played
    playing running moved moving lived living believed bringing happened written writing provided sitting standing
    lost losing paid paying met meeting included including continued set setting learned learning changed leading
    understood understanding watched watching followed following stopped stopping created creating spoke speaking
    read reading allowed allowing added adding spent spending grew growing opened opening walked walking won offered
    remembered loved considered appeared bought buying waited served died sent sending expected built building stayed
    fell cut reached killed remained suggested raised passed sold selling required reported decided pulled
    world life hand part child eye woman place week case point government company number group problem fact home
    water room mother area money story month lot right study book job word business issue side kind head house
    service friend father power hour game line end member law car city community name president team minute idea
    kid body information school face others level office door health person art war history party result change
    morning reason research girl guy moment air teacher force education foot boy age policy everything process music
    market sense nation plan college interest death experience effect class control care field development role
    effort rate heart drug show leader light voice wife police mind price report decision son view relationship town
    road arm difference value building action model season society tax director position player record paper space
    ground form event official matter center couple site project activity star table need court oil situation cost
    industry figure street image phone data picture practice piece land product doctor wall patient worker news test
    movie north love support technology step baby computer type attention film tree source organization hair window
    evidence population site energy network security system online cloud mail email web net server host service
    portal support store shop market bank finance travel media news sport sports weather video stream music radio
    search social photo photos image images blog forum wiki docs doc help login account accounts secure update
    updates download downloads static assets cdn content api apps app mobile files file drive storage backup sync
    office outlook live microsoft windows apple icloud google gmail youtube amazon facebook instagram twitter
    linkedin github gitlab bitbucket slack zoom dropbox adobe oracle salesforce netflix spotify reddit wikipedia
    yahoo bing ebay paypal stripe shopify wordpress medium quora pinterest tumblr twitch discord telegram whatsapp
    signal mozilla firefox chrome safari opera ubuntu debian fedora redhat centos kernel linux python java swift
    rust golang node react angular vue docker kubernetes cluster compute engine analytics metrics monitor
    monitoring logging logs tracking tracker ads advertising adservice doubleclick pixel tag manager consent cookie
    cookies privacy policy terms legal about contact careers jobs press investor investors partner partners
    developer developers community forum forums status health time clock calendar maps map earth translate
    weather traffic ticket tickets booking hotel hotels flight flights airline airlines train rail bus taxi ride
    food pizza coffee restaurant recipe recipes kitchen garden home house apartment rent real estate insurance
    loan credit card cards payment payments checkout cart order orders delivery shipping tracking express post
    postal office school university college academy institute library museum gallery theatre theater cinema
    hospital clinic pharmacy medical health care doctor dental vision fitness gym yoga running cycling football
    soccer baseball basketball hockey tennis golf racing games gaming play player players stream streaming live
    tv channel channels broadcast network networks telecom mobile wireless fiber broadband internet provider
    hosting domain domains registrar dns resolver proxy gateway router switch firewall vpn edge origin global
    national international regional local city county state federal public private open free best top first
    great little own old right big high different small large next early young important few bad same able
    general specific certain clear human local sure better true whole hard real easy strong possible special
    free major economic low personal social simple political recent final central red blue green black white
    gold silver orange purple yellow brown dark bright north south east west northern southern eastern western
    spring summer autumn winter january february march april may june july august september october november
    december monday tuesday wednesday thursday friday saturday sunday today tomorrow yesterday morning evening night
    alpha beta gamma delta omega sigma prime nova star sun moon planet galaxy rocket space ocean river lake
    mountain forest valley island bridge tower castle garden park square market harbor harbour port bay beach
    coast desert prairie meadow canyon summit peak ridge stone rock iron steel copper glass paper wood cotton wool
    silk leather plastic energy solar wind power electric green clean smart digital cyber tech labs lab works
    studio studios design designs creative agency media group holdings global solutions systems services software
    hardware consulting partners capital ventures invest fund funds trust bank banking financial wealth assets
    realty properties construction engineering industries manufacturing logistics transport supply chain retail
    wholesale fashion beauty style jewelry shoes clothing apparel outdoor sports toys kids baby pets pet dog cat
    horse bird fish garden flowers flower plant plants seed farm farmer fresh organic natural pure simple happy
    lucky magic dream dreams vision future smart bright quick fast rapid swift instant direct easy safe secure
    protect defense guard shield safety alert warning notice notify message messages chat talk call voice phone
    contact connect link links share social friends family life living lifestyle wedding travel adventure
    explore discovery journey world globe planet earth nature wild wildlife animal animals science physics
    chemistry biology math history language english spanish french german italian chinese japanese korean
    arabic russian portuguese dutch swedish norwegian danish finnish polish czech greek turkish hindi
    london paris berlin madrid rome tokyo seoul beijing shanghai sydney melbourne toronto vancouver chicago
    boston seattle austin denver dallas houston miami atlanta phoenix portland detroit newyork california texas
    florida virginia carolina georgia washington oregon nevada arizona colorado ohio michigan illinois canada
    mexico brazil argentina chile peru colombia india china japan korea germany france italy spain england
    scotland ireland wales sweden norway denmark finland poland austria switzerland belgium netherlands holland
    greece turkey egypt kenya nigeria africa europe asia america australia zealand pacific atlantic arctic
    """
}
