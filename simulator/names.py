"""Realistic Chinese data for generated contacts, groups, chats and Moments.

Everything takes a `random.Random` so that generated worlds are reproducible per account
(the same account gets the same friends after a reset) and fast enough for 5,000 friends.
"""

import string

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁龙林欣婷雪琳晨"
    "璐瑶怡佳嘉悦诗梦雨思涵子轩浩然梓萱一诺欣怡博文天佑若汐亦菲雅琪晓东志远春雷秋月晴岚"
)
NICK_STYLES = (
    "小{g}",
    "阿{g}",
    "{s}{g}",
    "{s}{g}{g2}",
    "{s}{g}{g2}",
    "{g}{g}",
    "{s}老师",
    "{s}总",
    "{g}{g2}🌸",
    "{s}{g}-{area_short}",
)
FANCY_NICKS = (
    "一只猫",
    "追风少年",
    "半夏微凉",
    "岁月静好",
    "Gu🦑",
    "Lucky",
    "陌上花开",
    "天天向上",
    "好运来",
    "Jason",
    "Coco",
    "大米",
    "阳光明媚",
    "晴天☀️",
    "不忘初心",
    "知足常乐",
    "🍀四叶草",
    "海阔天空",
    "Amy",
    "往事随风",
)
AREAS = (
    "北京 朝阳",
    "北京 海淀",
    "上海 浦东",
    "上海 徐汇",
    "广东 广州",
    "广东 深圳",
    "广东 东莞",
    "浙江 杭州",
    "浙江 宁波",
    "江苏 南京",
    "江苏 苏州",
    "福建 福州",
    "福建 厦门",
    "四川 成都",
    "湖北 武汉",
    "湖南 长沙",
    "山东 济南",
    "山东 青岛",
    "河南 郑州",
    "陕西 西安",
    "重庆",
    "天津",
    "辽宁 沈阳",
    "云南 昆明",
    "广西 南宁",
    "",
)
SIGNATURES = (
    "",
    "",
    "做最好的自己",
    "生活不止眼前的苟且",
    "努力工作，认真生活",
    "专注母婴用品十年",
    "感恩遇见",
    "一切都是最好的安排",
    "诚信经营，欢迎咨询",
    "慢慢来，比较快",
)
PINYIN = (
    "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song tang "
    "xiao ming hua wei fang na ying min jing li qiang lei jun yang yong yan jie juan tao chao xia ping gang yu hao "
    "kai jian jun fan shuai xu ning long xin ting xue lin chen lu yao yi jia yue shi meng yu si han"
).split()
LABEL_NAMES = ("客户", "同事", "家人", "朋友", "VIP", "潜在客户", "供应商", "同学", "已成交", "待跟进")
GROUP_NAMES = (
    "为了美好的明天而战888",
    "从来处来从去处去",
    "相亲相爱一家人",
    "高三(2)班同学群",
    "周末羽毛球群",
    "宝妈交流群",
    "公司全员群",
    "业主群-阳光花园",
    "产品售后服务群",
    "跑步打卡群",
    "吃货联盟",
    "驴友俱乐部",
    "读书会",
    "VIP客户群",
    "项目组沟通群",
    "老乡会",
)
CHAT_LINES = (
    "在吗？",
    "你好，请问这个还有货吗？",
    "今天晚上一起吃饭吧",
    "收到，谢谢！",
    "好的，我明天给你回复",
    "哈哈哈哈",
    "这个多少钱？",
    "价格能便宜点吗",
    "已经转账了，麻烦查收一下",
    "什么时候发货呀？",
    "周末有空吗？",
    "刚看到消息，不好意思",
    "辛苦了👍",
    "我到楼下了",
    "明天上午十点开会，别忘了",
    "发个定位给我",
    "好久不见，最近怎么样？",
    "快递收到了，质量很好",
    "麻烦把资料发我一下",
    "晚安😴",
    "👌",
    "可以可以",
    "这个链接打不开",
    "下周三有时间吗",
    "生日快乐🎂",
)
GROUP_LINES = (
    "大家好，新人报到",
    "有人一起吗？",
    "收到",
    "今天的活动几点开始？",
    "群主发个红包吧🧧",
    "哈哈，太搞笑了",
    "我也想去",
    "已报名",
    "这周六晚上聚餐，接龙报名",
    "通知：明天停水，大家提前准备",
    "谢谢分享",
    "👍👍👍",
)
CHECK_MSGS = (
    "我是一只猫",
    "你好，我是群里的朋友",
    "我是{name}",
    "朋友推荐的，想咨询一下产品",
    "老同学，加一下",
    "",
)
SOURCES = ("通过扫码添加", "通过搜索微信号添加", "通过群聊添加", "通过手机号添加", "通过名片分享添加")
MOMENT_TEXTS = (
    "今天天气真好☀️",
    "周末愉快！",
    "新品上架，欢迎咨询",
    "打卡第100天💪",
    "和家人一起的美好时光",
    "美食分享，太好吃了",
    "旅行的意义",
    "感恩有你们",
    "加油，打工人！",
    "春暖花开🌸",
)


def word(rng, alphabet=string.ascii_lowercase + string.digits, length=10):
    """A random token; used for wxids, avatar paths and v1 tickets."""
    return "".join(rng.choice(alphabet) for _ in range(length))


def wxid(rng):
    return "wxid_" + word(rng, length=14)


# Set by the server to its own public URL, so that generated avatars are images it serves
# (/_sim/avatar/<token>.png) and load in the demo and in browser tests, which have no internet.
AVATAR_BASE = ""


def thumb(rng):
    token = word(rng, string.ascii_letters + string.digits, 48)
    if AVATAR_BASE:
        return f"{AVATAR_BASE}/_sim/avatar/{token}.png"
    return f"http://wx.qlogo.cn/mmhead/ver_1/{token}/132"


def photo(rng):
    """A Moments photo: served by the simulator when it knows its address (see AVATAR_BASE)."""
    token = word(rng, string.ascii_letters + string.digits, 24)
    if AVATAR_BASE:
        return f"{AVATAR_BASE}/_sim/avatar/{token}.png"
    return f"https://picsum.photos/seed/{token}/640"


def sticker(rng):
    """A sticker's cdnurl: an image the simulator serves when it knows its address (see AVATAR_BASE)."""
    token = word(rng, string.ascii_letters + string.digits, 32)
    if AVATAR_BASE:
        return f"{AVATAR_BASE}/_sim/avatar/{token}.png"
    return f"http://wxapp.tc.qq.com/262/20304/stodownload?m={word(rng, string.hexdigits.lower(), 32)}"


def nickname(rng):
    if rng.random() < 0.15:
        return rng.choice(FANCY_NICKS)
    area = rng.choice(AREAS).split(" ")[-1]
    return rng.choice(NICK_STYLES).format(
        s=rng.choice(SURNAMES), g=rng.choice(GIVEN), g2=rng.choice(GIVEN), area_short=area or "北京"
    )


def custom_id(rng):
    """A user-chosen WeChat ID, like `lin_yu1988`."""
    return f"{rng.choice(PINYIN)}{rng.choice(('', '_', ''))}{rng.choice(PINYIN)}{rng.randint(1, 9999)}"


def person(rng):
    """A generated WeChat user: about a third keep their wxid as account, like real users."""
    internal = wxid(rng)
    account = internal if rng.random() < 0.35 else custom_id(rng)
    return {
        "account": account,
        "wxid": internal,
        "name": nickname(rng),
        "sex": rng.choice((0, 1, 1, 2, 2)),
        "area": rng.choice(AREAS),
        "thumb": thumb(rng),
        "signature": rng.choice(SIGNATURES),
        "v1": f"v1_{word(rng, string.hexdigits.lower(), 56)}@stranger",
    }


def group_number(rng):
    return f"{rng.randint(10**10, 10**12 - 1)}@chatroom"


def chat_line(rng, group=False):
    return rng.choice(GROUP_LINES if group else CHAT_LINES)


def check_msg(rng, name):
    return rng.choice(CHECK_MSGS).format(name=name)
