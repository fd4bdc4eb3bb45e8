"""The known article texts behind tests/fixtures/articles (written for this project, Chinese and English).

Each article: a slug, its language, a title, and its paragraphs. `make_article_pages.py` wraps each
one in a realistic page (navigation, ads, share bars, related links, comments, footer) and writes the
page with the plain text it must extract, so extraction quality can be measured as token F1.
"""

ARTICLES = [
    {
        "slug": "en-city-bikes", "lang": "en", "title": "The city that turned its parking garages into bike depots",
        "paragraphs": [
            "When the council of a mid-sized river town voted to convert three municipal parking garages into "
            "bicycle depots, most residents expected the plan to fail within a year. Four years later the depots "
            "store more than six thousand bikes a day and the waiting list for a locker has grown to eleven months.",
            "The conversion itself was cheap. Concrete ramps that once carried cars now carry cargo bikes, and the "
            "old ticket booths sell inner tubes and repair time. The expensive part, officials say, was persuading "
            "shop owners that a cyclist spends as much in a month as a driver does.",
            "A survey commissioned by the chamber of commerce found the opposite of what many owners feared. "
            "Shoppers arriving by bike visited the centre more often, stayed a little longer, and spent slightly "
            "less per visit but considerably more over the month.",
            "Not every problem has been solved. Theft from the open racks outside the depots remains common, and "
            "the night shift staff say the building needs better lighting on the upper floors. The council has "
            "promised new lamps before the winter.",
            "Other towns are now sending delegations. The depot manager, who used to run a car park in the same "
            "building, keeps a visitors' book at the entrance; it already runs to two volumes.",
        ],
    },
    {
        "slug": "en-sourdough-science", "lang": "en", "title": "What a sourdough starter actually contains",
        "paragraphs": [
            "A jar of sourdough starter looks like nothing more than flour paste, but under a microscope it is a "
            "crowded city of wild yeasts and lactic acid bacteria competing for the same sugars.",
            "Researchers who sequenced starters sent in by home bakers from fourteen countries found that no two "
            "were alike. The strongest predictor of the microbes in a jar was not the flour or the climate but the "
            "hands and kitchen of the baker who fed it.",
            "The bacteria produce the acids that give the bread its tang, while the yeasts produce most of the gas "
            "that makes the dough rise. A starter kept warm favours the bacteria and tastes sharper; one kept cool "
            "favours the yeasts and rises faster.",
            "This explains an old complaint among bakers who move house: the bread never tastes quite the same in "
            "the new kitchen. Within a few weeks the local microbes take over the jar.",
            "For anyone starting from scratch the advice is simple. Mix equal weights of flour and water, keep the "
            "jar at room temperature, discard half and feed it every day, and be patient for about a week.",
        ],
    },
    {
        "slug": "en-library-night", "lang": "en", "title": "Why a public library started opening at midnight",
        "paragraphs": [
            "The reading room on the second floor of the central library used to close at eight in the evening. "
            "Since the spring it has stayed open until two in the morning on weekdays, and on exam weeks it does "
            "not close at all.",
            "The idea came from night-shift workers who wrote to the library asking for somewhere quiet to study "
            "after their shifts ended. The first trial drew a few dozen people; the current average is close to "
            "three hundred a night.",
            "Staffing the late hours turned out to be easier than expected. Several librarians preferred the night "
            "schedule, and the library pays a modest premium for hours after ten.",
            "The late crowd is different from the daytime one. There are nurses revising for certificates, taxi "
            "drivers reading newspapers between fares, and students who share a single room at home with their "
            "siblings.",
            "The library now plans to open a second branch late into the night and to lend laptops overnight, "
            "provided the city renews the budget line in the autumn.",
        ],
    },
    {
        "slug": "en-heat-pumps", "lang": "en", "title": "Heat pumps in old houses: what the first winter taught us",
        "paragraphs": [
            "Last autumn we replaced the gas boiler in our 1920s terrace house with an air-source heat pump. "
            "Friends warned us that old houses leak too much heat for a pump to cope. This is what happened.",
            "The first lesson was about radiators. The pump runs most efficiently at low water temperatures, so "
            "the installer replaced four of our eleven radiators with larger ones. The rest were already big "
            "enough.",
            "The second lesson was patience. A heat pump works best left running steadily rather than switched on "
            "and off, and it took us a month to stop fiddling with the thermostat.",
            "Our electricity use rose by about four thousand kilowatt hours over the winter while our gas use fell "
            "to zero. Overall the running cost came out slightly below the previous winter.",
            "We did have one cold week in January when the pump struggled during a long frost, and the backup "
            "immersion heater ran for several hours. Better loft insulation is now at the top of our list.",
        ],
    },
    {
        "slug": "en-chess-clubs", "lang": "en", "title": "The quiet revival of neighbourhood chess clubs",
        "paragraphs": [
            "Chess clubs that spent the last decade shrinking are suddenly turning members away. Organisers credit "
            "a mix of streaming, a popular television drama and a desire to meet people away from screens.",
            "At one club that meets in the back room of a pub, attendance went from a dozen regulars to more than "
            "sixty on a typical Tuesday. The club had to buy twenty new sets and borrow chairs from the landlord.",
            "Many newcomers learned the game online and arrive with ratings but little experience of sitting across "
            "a board from a stranger. Veteran members run a beginners' table where the clocks are slower and the "
            "advice is free.",
            "The revival has brought its own problems. Tournament entry fees barely cover the hall hire, and the "
            "volunteers who organise the leagues are the same handful of people who did it twenty years ago.",
            "Still, the mood at the clubs is cheerful. As one organiser put it, a full room of people thinking in "
            "silence is the best sound he knows.",
        ],
    },
    {
        "slug": "en-river-cleanup", "lang": "en", "title": "Volunteers pulled two tonnes of rubbish from the river",
        "paragraphs": [
            "More than four hundred volunteers spent Saturday morning wading along a six-kilometre stretch of the "
            "river, collecting shopping trolleys, tyres, plastic sheeting and a surprising number of traffic cones.",
            "The clean-up is organised every year by a local rowing club, whose members say the water has become "
            "noticeably clearer since the first event a decade ago.",
            "This year the organisers weighed and sorted everything. Plastic packaging made up most of the volume, "
            "but metal objects made up most of the weight.",
            "Environmental officers from the water authority took samples at several points and will publish the "
            "results next month. Fish counts in the upper reaches have risen for three years in a row.",
            "The club hopes to turn the day into a monthly event and is asking the council for a permanent skip "
            "near the boathouse.",
        ],
    },
    {
        "slug": "en-open-source-maintainers", "lang": "en", "title": "The unpaid work behind the software everyone uses",
        "paragraphs": [
            "A small compression library written by one volunteer twenty years ago is now inside phones, cars and "
            "satellites. Its author still reviews every change himself, in the evenings, after his day job.",
            "Stories like his have become a familiar theme in the software industry. Companies build products worth "
            "billions on top of projects maintained by a handful of people who are rarely paid for it.",
            "Some foundations now offer grants for security audits and maintenance, and a few large firms employ "
            "developers to work full time on shared infrastructure. Maintainers say the money helps but does not "
            "replace people.",
            "The hardest part of the job, several of them told us, is not writing code but saying no: to features "
            "that would be hard to support, to urgent requests from strangers, and to their own urge to rewrite "
            "everything.",
            "Their advice to companies is modest. Find out which projects your product depends on, send a thank-you "
            "now and then, and when you report a bug, include the steps to reproduce it.",
        ],
    },
    {
        "slug": "en-tea-harvest", "lang": "en", "title": "A late frost and the smallest spring tea harvest in years",
        "paragraphs": [
            "Tea growers in the hills reported the smallest spring harvest in more than a decade after a late frost "
            "damaged the first buds in the second week of March.",
            "The earliest leaves fetch the highest prices because they are tender and sweet. Several farms lost "
            "more than half of their first picking in a single night.",
            "Prices at the wholesale market rose by roughly a third within a week. Buyers say the quality of the "
            "surviving leaves is excellent, but there is simply not enough of it.",
            "Growers are now debating whether to invest in fans that mix warmer air into the rows on cold nights, "
            "a method used in vineyards. The equipment is expensive and needs electricity that many hillside plots "
            "do not have.",
            "The summer harvest is expected to be normal, provided the rains arrive on time.",
        ],
    },
    {
        "slug": "en-night-trains", "lang": "en", "title": "Night trains are back, and they are full",
        "paragraphs": [
            "A decade ago most European railways were closing their sleeper services. Today new routes are opening "
            "every year, and many of them sell out weeks in advance.",
            "Travellers give different reasons. Some want to avoid flying, some like waking up in the centre of a "
            "city, and some simply enjoy the romance of falling asleep in one country and waking in another.",
            "Operators face a shortage of rolling stock. Sleeper carriages are expensive to build, and only a few "
            "factories make them. Several routes run with refurbished coaches that are forty years old.",
            "Ticket prices remain a sore point. A couchette for a family can cost more than flights, and track "
            "access charges make up a large part of the price.",
            "Even so, the operators are optimistic. Orders for new carriages have been placed, and two more routes "
            "are planned for next winter.",
        ],
    },
    {
        "slug": "en-school-gardens", "lang": "en", "title": "What children learn when the school has a vegetable garden",
        "paragraphs": [
            "At a primary school on the edge of the city, every class looks after its own raised bed. The youngest "
            "children grow radishes; the oldest plan crop rotations and keep a ledger of the harvest.",
            "Teachers say the garden is used for far more than science lessons. Pupils measure plots in maths, "
            "write seed catalogues in English and weigh the produce for the school kitchen.",
            "The head teacher noticed another effect: children who struggle to sit still in a classroom are often "
            "the most patient gardeners, and several of them now run the watering rota.",
            "The garden costs very little. Parents donated tools and timber, and a local nursery gives the school "
            "its unsold seedlings each spring.",
            "The hardest season is summer, when the school is closed. Families take turns watering during the "
            "holidays, and this year nothing died.",
        ],
    },
    {
        "slug": "zh-gaotie-wifi", "lang": "zh", "title": "高铁上的无线网络为什么总是时好时坏",
        "paragraphs": [
            "不少乘客都有这样的体验：列车刚出站时网络还算流畅，一进入山区或者隧道，视频就开始卡顿，网页也迟迟打不开。",
            "工程师解释说，高速行驶的列车每隔几十秒就要在不同的基站之间切换，每一次切换都可能造成短暂的中断。车厢本身的金属外壳也会削弱信号，因此车上的无线网络需要先通过车顶天线接入地面网络。",
            "在隧道和山区，基站的覆盖本来就比较稀疏，信号强度下降得很快。部分线路已经在隧道内加装了漏缆和专用基站，情况明显好转。",
            "另一个原因是用户太多。一列满员的列车上有上千名乘客，同时观看视频或者下载文件，车载设备的带宽很快就被占满。",
            "铁路部门表示，新一代的车载通信设备正在逐步安装，未来几年主要干线的网络体验会有较大改善。",
        ],
    },
    {
        "slug": "zh-laoxiaoqu-dianti", "lang": "zh", "title": "老旧小区加装电梯，难在哪里",
        "paragraphs": [
            "在许多城市，上世纪八九十年代建成的多层住宅没有电梯，住在五六楼的老人每天上下楼都十分吃力。近年来，各地陆续出台政策，鼓励老旧小区加装电梯。",
            "政策有了，资金也有补贴，可真正落地并不容易。最大的难题往往来自邻里之间的分歧：高层住户盼着早日装上，低层住户却担心采光、噪音和房价受到影响。",
            "一位社区工作人员告诉记者，她所在的小区为了一部电梯，前后开了二十多次协调会，最后由高层住户出资对一楼住户进行适当补偿，才达成一致。",
            "施工本身也有不少麻烦。地下管线错综复杂，楼前空间狭窄，有的楼栋还需要先加固结构。",
            "专家建议，加装电梯应当和小区整体改造结合起来，同时建立后续的维护和费用分摊机制，避免电梯装好以后无人管理。",
        ],
    },
    {
        "slug": "zh-chaye-chunshou", "lang": "zh", "title": "倒春寒过后，今年的明前茶少了一半",
        "paragraphs": [
            "三月中旬的一场倒春寒，让不少茶农的心凉了半截。刚刚冒出的嫩芽一夜之间被冻伤，原本应该开采的明前茶只能推迟。",
            "在山区的一处茶园，茶农老陈蹲在地头，指着发黑的芽尖说，往年这个时候每天能采几十斤鲜叶，今年连一半都不到。",
            "明前茶因为产量少、口感鲜嫩，一直是价格最高的一批。受天气影响，今年的收购价比去年上涨了三成左右，但茶农的总收入并没有增加。",
            "农业部门的技术人员建议，茶园可以在寒潮来临前覆盖遮阳网或者稻草，减少冻害。也有合作社开始尝试安装防霜风扇，但设备成本较高。",
            "好在后续天气转暖，新芽正在陆续萌发，雨前茶的产量预计不会受到太大影响。",
        ],
    },
    {
        "slug": "zh-shequ-shitang", "lang": "zh", "title": "社区食堂火了：一顿午饭十几块钱，老人年轻人都来吃",
        "paragraphs": [
            "中午十一点半，位于老城区的一家社区食堂已经排起了长队。两荤两素加一碗汤，价格不到二十元，老年人还能享受额外的折扣。",
            "食堂负责人介绍，这里最初是为了解决社区独居老人吃饭难的问题而开设的，没想到附近写字楼里的年轻人也成了常客。",
            "为了控制成本，食堂和周边的农贸市场签订了长期供货协议，菜单每周更换一次，并且会根据老人的需求提供少盐少油的菜品。",
            "不过，社区食堂的运营并不轻松。房租、人工和水电费用都在上涨，单靠餐费很难维持，目前主要依靠政府补贴和社会捐助。",
            "有居民建议，食堂可以增加外卖和晚餐服务，让行动不便的老人也能在家吃上热饭热菜。",
        ],
    },
    {
        "slug": "zh-kaiyuan-weihu", "lang": "zh", "title": "开源软件背后的义务维护者",
        "paragraphs": [
            "一个由志愿者在业余时间编写的小型压缩库，如今运行在无数手机、汽车和服务器里。它的作者至今仍坚持亲自审阅每一处改动。",
            "这样的故事在软件行业并不少见。许多价值不菲的商业产品，都建立在只有少数几个人维护的开源项目之上，而这些维护者往往没有任何报酬。",
            "近年来，一些基金会开始为安全审计和日常维护提供资助，也有大公司雇用工程师全职参与基础项目的开发。但维护者们表示，钱能解决一部分问题，却替代不了人。",
            "在他们看来，这份工作最难的并不是写代码，而是学会拒绝：拒绝难以长期支持的功能，拒绝陌生人的紧急要求，也拒绝自己推倒重来的冲动。",
            "他们对企业的建议很简单：先弄清楚自己的产品依赖哪些项目，偶尔说一声谢谢，提交问题时附上复现步骤。",
        ],
    },
    {
        "slug": "zh-yejian-tushuguan", "lang": "zh", "title": "图书馆开到深夜以后",
        "paragraphs": [
            "从今年春天开始，市图书馆二楼的阅览室在工作日会一直开放到凌晨两点，考试周期间更是通宵开放。",
            "这个想法最早来自一些上夜班的读者。他们给图书馆写信，希望下班后能有一个安静的地方学习。第一次试行时只来了几十人，如今平均每晚有近三百名读者。",
            "夜间的读者和白天很不一样：有准备职称考试的护士，有在两趟活之间看报纸的出租车司机，也有家里和兄弟姐妹挤在一个房间的学生。",
            "馆方表示，安排夜班人手比预想中容易，不少馆员反而更喜欢夜间的工作节奏，晚上十点以后的工时还有一定补贴。",
            "图书馆计划明年再开放一个夜间分馆，并尝试开展笔记本电脑夜间外借服务，前提是相关预算能够继续获得批准。",
        ],
    },
    {
        "slug": "zh-xinnengyuan-chongdian", "lang": "zh", "title": "节假日高速服务区充电排队，问题出在哪",
        "paragraphs": [
            "每逢长假，高速公路服务区的充电桩前总能看到排起的长队。有车主说，为了充一次电，排队就花了两个多小时。",
            "业内人士分析，节假日出行高度集中，而服务区的充电桩数量是按照平时的需求建设的，高峰时段供不应求在所难免。",
            "此外，部分服务区受电网容量限制，即便增加充电桩，也无法同时满负荷运行。扩容电网需要较长的审批和施工周期。",
            "今年以来，一些地方开始在服务区投放移动充电车，并通过导航软件实时发布各服务区的排队情况，引导车主错峰充电。",
            "专家提醒，长途出行前应提前规划充电地点，尽量避开中午和傍晚的高峰时段，电量不要等到很低时才去充。",
        ],
    },
    {
        "slug": "zh-xiaoxue-caiyuan", "lang": "zh", "title": "校园里的小菜园，孩子们学到了什么",
        "paragraphs": [
            "在城郊的一所小学里，每个班级都认领了一块菜地。低年级的孩子种萝卜和小白菜，高年级的学生则要自己规划轮作，并记录每一次的收成。",
            "老师们发现，菜园的用处远不止科学课。数学课上，学生们测量菜地的面积；语文课上，他们为自己种的蔬菜写说明书；收获的蔬菜还会称重后送进学校食堂。",
            "校长还注意到一个变化：一些在教室里坐不住的孩子，反而是最有耐心的小园丁，其中好几个人如今负责安排浇水值日。",
            "菜园的花费很少。家长们捐来了工具和木料，附近的苗圃每年春天都会把卖剩的菜苗送给学校。",
            "最难熬的是暑假。学校放假以后，家长们轮流来浇水，今年没有一株菜苗枯死。",
        ],
    },
    {
        "slug": "zh-kuaidi-xiaoqu", "lang": "zh", "title": "快递进小区为何这么难",
        "paragraphs": [
            "不少居民发现，快递员越来越少把包裹送到家门口，而是统一放进驿站或快递柜，取件时还要排队。",
            "快递员们也有苦衷。一位从业多年的快递员说，他每天要派送两百多件包裹，如果每一件都送上楼，根本送不完，而每件的派费只有一元多。",
            "部分小区出于安全考虑，不允许快递车辆进入，快递员只能在门口把包裹卸下，再一趟趟推进去。",
            "有的社区尝试由物业统一接收包裹，再按楼栋分发，居民可以选择付费送货上门，效果还不错。",
            "相关部门表示，将进一步规范快递末端服务，明确未经同意不得擅自将包裹放入驿站或快递柜。",
        ],
    },
    {
        "slug": "zh-chengshi-lvdao", "lang": "zh", "title": "废弃铁路变身城市绿道",
        "paragraphs": [
            "一条停用了十多年的货运铁路，如今变成了市民散步和骑行的绿道。周末的清晨，跑步的人、遛狗的人和推着婴儿车的家庭络绎不绝。",
            "改造工程保留了原有的铁轨和部分信号灯，在轨道两侧铺设了步道，种上了本地的树木和花草。几处旧站台被改成了小型展览馆和咖啡馆。",
            "设计团队负责人说，最初有人主张拆除铁轨，修成一条普通的公园道路，但更多居民希望留住这段城市记忆。",
            "绿道开放一年来，沿线的房屋租金有所上涨，一些老店铺重新热闹起来，但也有居民担心游客太多影响了日常生活。",
            "城市规划部门表示，将继续延长绿道，并与地铁站和公交站连接，让更多人可以方便地到达。",
        ],
    },
]
