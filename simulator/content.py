"""Message contents shaped like what real WeChat accounts receive.

Every shape here follows a real message captured from a real account (the payloads in
tests/fixtures/real_payloads/, from public projects; SOURCES.md there says which): the same
elements and attributes, CDN ids instead of URLs for images, voice, video and files, CDATA
where WeChat writes CDATA, the sender line (`wxid_x:\\n`) some group deliveries carry, and
templates with `$names$` and `${wxid}` placeholders for group notices and pats. Only the
values are generated. `make(kind, ...)` returns (content, content_type, file_name, voice_len)
as the provider's C1/C2 fields carry them (§4 codes; quotes, chat histories, music and
Channels posts travel as 8, the generic appmsg code).
"""

import secrets
import time
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from . import names

TEXT, IMAGE, EMOJI, VOICE, VIDEO, FILE, LINK, CARD, SYSTEM, APP, LOCATION, RED_PACKET, TRANSFER = (
    1,
    2,
    3,
    4,
    5,
    6,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
)

# What the demo sends besides plain text, and how often (weights).
DEMO_KINDS = {
    "image": 6,
    "emoji": 5,
    "voice": 4,
    "video": 2,
    "file": 2,
    "link": 3,
    "card": 1,
    "miniprogram": 1,
    "quote": 3,
    "location": 1,
    "transfer": 1,
    "red_packet": 1,
    "pat": 1,
    "revoke": 1,
    "music": 1,
    "channels": 1,
    "chat_history": 1,
}
GROUP_ONLY = ("group_join", "group_kick", "group_notice", "group_text")


@dataclass
class Made:
    content: str
    content_type: int
    file_name: str = ""
    voice_len: int = 0


def hexid(n):
    return secrets.token_hex(n)


def cdn_id():
    """A CDN file id as WeChat writes it: hex, no URL (nothing a browser can fetch)."""
    return "3057020100044b30490201000204" + hexid(60)


def cdata(value):
    return "<![CDATA[" + str(value).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _appmsg(type_, title, inner="", des="", url="", sender_wxid="", appname=""):
    """An <appmsg> message laid out as WeChat's iPad/PC protocol delivers it (tab-indented)."""
    des_line = f"\t\t<des>{escape(des)}</des>\n" if des else "\t\t<des />\n"
    url_line = f"\t\t<url>{escape(url)}</url>\n" if url else "\t\t<url />\n"
    return (
        '<?xml version="1.0"?>\n<msg>\n\t<appmsg appid="" sdkver="0">\n'
        f"\t\t<title>{escape(title)}</title>\n{des_line}\t\t<action />\n\t\t<type>{type_}</type>\n"
        f"\t\t<showtype>0</showtype>\n\t\t<content />\n{url_line}\t\t<lowurl />\n"
        f"{inner}\t</appmsg>\n"
        f"\t<fromusername>{escape(sender_wxid)}</fromusername>\n\t<scene>0</scene>\n"
        f"\t<appinfo>\n\t\t<version>1</version>\n\t\t<appname>{escape(appname)}</appname>\n\t</appinfo>\n"
        "\t<commenturl></commenturl>\n</msg>\n"
    )


def image(ctx):
    aes, thumb = hexid(16), cdn_id()
    width, height = ctx.rng.choice(((120, 76), (255, 450), (120, 90), (90, 120)))
    length = ctx.rng.randint(20_000, 900_000)
    return Made(
        '<?xml version="1.0"?>\n<msg>\n'
        f'\t<img aeskey="{aes}" encryver="1" cdnthumbaeskey="{aes}" cdnthumburl="{thumb}" '
        f'cdnthumblength="{ctx.rng.randint(1500, 9000)}" cdnthumbheight="{height}" cdnthumbwidth="{width}" '
        f'cdnmidheight="0" cdnmidwidth="0" cdnhdheight="0" cdnhdwidth="0" cdnmidimgurl="{thumb}" '
        f'length="{length}" md5="{hexid(16)}" hevc_mid_size="{length // 3}" originsourcemd5="{hexid(16)}">\n'
        f"\t\t<secHashInfoBase64>{hexid(24)}\n</secHashInfoBase64>\n"
        "\t\t<live>\n\t\t\t<duration>0</duration>\n\t\t\t<size>0</size>\n\t\t\t<md5 />\n\t\t</live>\n"
        "\t</img>\n\t<platform_signature />\n\t<imgdatahash />\n"
        "\t<ImgSourceInfo>\n\t\t<ImgSourceUrl />\n\t\t<BizType>0</BizType>\n\t</ImgSourceInfo>\n</msg>\n",
        IMAGE,
    )


def emoji(ctx):
    md5 = hexid(16)
    url = names.sticker(ctx.rng)
    size = ctx.rng.choice((120, 180, 240))
    return Made(
        f'<msg><emoji fromusername = "{ctx.sender_wxid}" tousername = "{ctx.to}" type="2" idbuffer="media:0_0" '
        f'md5="{md5}" len = "{ctx.rng.randint(20_000, 300_000)}" productid="" androidmd5="{md5}" '
        f'cdnurl = {quoteattr(url)} designerid = "" thumburl = "" encrypturl = {quoteattr(url + "?enc=1")} '
        f'aeskey= "{hexid(16)}" externurl = "" externmd5 = "" width= "{size}" height= "{size}" tpurl= "" '
        'tpauthkey= "" attachedtext= "" attachedtextcolor= "" lensid= "" emojiattr= "" linkid= "" desc= "" >'
        '</emoji> <gameext type="0" content="0" ></gameext></msg>',
        EMOJI,
    )


def voice(ctx):
    ms = ctx.rng.randint(1200, 25_000)
    return Made(
        f'<msg><voicemsg endflag="1" cancelflag="0" forwardflag="0" voiceformat="4" voicelength="{ms}" '
        f'length="{ms * 3 // 2}" bufid="0" aeskey="{hexid(16)}" voiceurl="{cdn_id()}" voicemd5="" '
        f'clientmsgid="{hexid(16)}{ctx.sender_wxid}_{int(time.time())}" fromusername="{ctx.sender_wxid}" /></msg>',
        VOICE,
        voice_len=max(1, round(ms / 1000)),
    )


def video(ctx):
    aes, cdn = hexid(16), cdn_id()
    seconds = ctx.rng.randint(3, 95)
    return Made(
        '<?xml version="1.0"?>\n<msg>\n'
        f'\t<videomsg aeskey="{aes}" cdnvideourl="{cdn}" cdnthumbaeskey="{aes}" cdnthumburl="{cdn}" '
        f'length="{seconds * ctx.rng.randint(120_000, 400_000)}" playlength="{seconds}" cdnthumblength="7873" '
        f'cdnthumbwidth="224" cdnthumbheight="398" fromusername="{ctx.sender_wxid}" md5="{hexid(16)}" '
        f'newmd5="{hexid(16)}" isplaceholder="0" rawmd5="" rawlength="0" cdnrawvideourl="" cdnrawvideoaeskey="" '
        'overwritenewmsgid="0" originsourcemd5="" isad="0" />\n</msg>\n',
        VIDEO,
    )


FILES = ("报价单.pdf", "产品手册2026.pdf", "合同草稿.docx", "订单明细.xlsx", "发票信息.txt", "门店照片.zip")


def file(ctx, uploading=False):
    name = ctx.rng.choice(FILES)
    ext = name.rsplit(".", 1)[-1]
    size = ctx.rng.randint(8_000, 4_000_000)
    if uploading:
        return Made(
            '<msg>\n        <appmsg appid="" sdkver="0">\n'
            f"                <title>{cdata(name)}</title>\n                <type>74</type>\n"
            "                <showtype>0</showtype>\n                <appattach>\n"
            f"                        <totallen>{size}</totallen>\n"
            f"                        <fileext>{cdata(ext)}</fileext>\n"
            f"                        <fileuploadtoken>v1_{hexid(40)}</fileuploadtoken>\n"
            "                        <status>0</status>\n                </appattach>\n"
            f"                <md5>{cdata(hexid(16))}</md5>\n        </appmsg>\n"
            f"        <fromusername>{ctx.sender_wxid}</fromusername>\n</msg>",
            FILE,
            file_name=name,
        )
    inner = (
        "\t\t<appattach>\n"
        f"\t\t\t<totallen>{size}</totallen>\n\t\t\t<attachid>@cdn_{cdn_id()}_{hexid(16)}_1</attachid>\n"
        f"\t\t\t<emoticonmd5 />\n\t\t\t<fileext>{ext}</fileext>\n\t\t\t<cdnattachurl>{cdn_id()}</cdnattachurl>\n"
        f"\t\t\t<aeskey>{hexid(16)}</aeskey>\n\t\t\t<encryver>0</encryver>\n\t\t</appattach>\n"
        f"\t\t<md5>{hexid(16)}</md5>\n"
    )
    return Made(_appmsg(6, name, inner, sender_wxid=ctx.sender_wxid), FILE, file_name=name)


ARTICLES = (
    ("新品发布会精彩回顾", "三分钟看完今年最重要的发布", "品牌官方"),
    ("冬季护肤指南：干燥天气这样做", "专家教你科学补水", "生活百科"),
    ("门店春节营业时间调整通知", "请各位顾客留意", "官方服务号"),
    ("如何选择适合自己的保险", "看完这篇不再纠结", "理财课堂"),
)


def link(ctx):
    title, des, source = ctx.rng.choice(ARTICLES)
    url = f"http://mp.weixin.qq.com/s?__biz={hexid(8)}==&mid={ctx.rng.randint(10**9, 10**10)}&idx=1&sn={hexid(16)}#rd"
    inner = (
        "\t\t<appattach>\n\t\t\t<totallen>0</totallen>\n"
        f"\t\t\t<cdnthumburl>{cdn_id()}</cdnthumburl>\n\t\t\t<cdnthumbwidth>160</cdnthumbwidth>\n"
        "\t\t\t<cdnthumbheight>160</cdnthumbheight>\n\t\t</appattach>\n"
        f"\t\t<sourceusername>gh_{hexid(6)}</sourceusername>\n\t\t<sourcedisplayname>{escape(source)}</sourcedisplayname>\n"
        f"\t\t<thumburl>{escape(names.thumb(ctx.rng))}</thumburl>\n"
    )
    return Made(_appmsg(5, title, inner, des=des, url=url, sender_wxid=ctx.sender_wxid), LINK)


def music(ctx):
    song, singer = ctx.rng.choice((("后来", "刘若英"), ("晴天", "周杰伦"), ("Don't Break My Heart", "黑豹乐队")))
    url = f"https://y.music.163.com/m/song?id={ctx.rng.randint(10**8, 10**9)}&shareToken={hexid(12)}"
    inner = (
        f"\t\t<dataurl>http://music.163.com/song/media/outer/url?id={ctx.rng.randint(10**8, 10**9)}</dataurl>\n"
        f"\t\t<appattach>\n\t\t\t<cdnthumburl>{cdn_id()}</cdnthumburl>\n\t\t</appattach>\n"
    )
    return Made(_appmsg(3, song, inner, des=singer, url=url, sender_wxid=ctx.sender_wxid, appname="网易云音乐"), LINK)


def card(ctx):
    person = names.person(ctx.rng)
    province, _, city = person["area"].partition(" ")
    return Made(
        '<?xml version="1.0"?>\n'
        f"<msg bigheadimgurl={quoteattr(person['thumb'])} smallheadimgurl={quoteattr(person['thumb'])} "
        f'username="v3_{hexid(40)}@stranger" nickname={quoteattr(person["name"])} fullpy="" shortpy="" '
        f'alias={quoteattr(person["account"] if not person["account"].startswith("wxid_") else "")} imagestatus="4" '
        f'scene="17" province={quoteattr(province)} city={quoteattr(city or province)} '
        f"sign={quoteattr(person['signature'])} "
        f'sex="{person["sex"]}" certflag="0" certinfo="" brandIconUrl="" brandHomeUrl="" brandSubscriptConfigUrl="" '
        f'brandFlags="0" regionCode="CN" biznamecardinfo="" antispamticket="v4_{hexid(40)}@stranger" />\n',
        CARD,
    )


def miniprogram(ctx):
    title, app = ctx.rng.choice(
        (("限时秒杀，低至5折", "优选商城"), ("您的外卖订单", "美食外卖"), ("预约到店体验", "门店预约"))
    )
    appid = "wx" + hexid(8)
    inner = (
        f"\t\t<appattach>\n\t\t\t<cdnthumburl>{cdn_id()}</cdnthumburl>\n\t\t\t<cdnthumbwidth>720</cdnthumbwidth>\n"
        "\t\t\t<cdnthumbheight>576</cdnthumbheight>\n\t\t</appattach>\n"
        f"\t\t<sourceusername>gh_{hexid(6)}@app</sourceusername>\n\t\t<sourcedisplayname>{escape(app)}</sourcedisplayname>\n"
        "\t\t<weappinfo>\n"
        f"\t\t\t<username>{cdata('gh_' + hexid(6) + '@app')}</username>\n\t\t\t<appid>{cdata(appid)}</appid>\n"
        "\t\t\t<type>2</type>\n\t\t\t<version>594</version>\n"
        f"\t\t\t<weappiconurl>{cdata(names.thumb(ctx.rng))}</weappiconurl>\n"
        f"\t\t\t<pagepath>{cdata('pages/index/index.html?share=' + hexid(4))}</pagepath>\n"
        "\t\t\t<appservicetype>0</appservicetype>\n\t\t</weappinfo>\n"
    )
    url = f"https://mp.weixin.qq.com/mp/waerrpage?appid={appid}&type=upgrade&upgradetype=3#wechat_redirect"
    return Made(_appmsg(33, title, inner, des=title, url=url, sender_wxid=ctx.sender_wxid), APP)


def quote(ctx):
    """A reply quoting an earlier text of this chat (or a made-up one when there is none)."""
    earlier = ctx.earlier
    if earlier:
        svrid, who_wxid, who_name, said = earlier
    else:
        svrid, who_wxid, who_name, said = (
            "1" + str(ctx.rng.randint(10**17, 10**18)),
            ctx.sender_wxid,
            ctx.name,
            "这个多少钱？",
        )
    reply = ctx.rng.choice(("收到，我看看", "是这个吗？", "好的，谢谢", "就要这个"))
    inner = (
        "\t\t<appattach>\n\t\t\t<cdnthumbaeskey />\n\t\t\t<aeskey></aeskey>\n\t\t</appattach>\n"
        "\t\t<refermsg>\n\t\t\t<type>1</type>\n"
        f"\t\t\t<svrid>{svrid}</svrid>\n\t\t\t<fromusr>{escape(ctx.group or who_wxid)}</fromusr>\n"
        f"\t\t\t<chatusr>{escape(who_wxid)}</chatusr>\n\t\t\t<displayname>{escape(who_name)}</displayname>\n"
        f"\t\t\t<content>{escape(said)}</content>\n"
        "\t\t\t<msgsource>&lt;msgsource&gt;&lt;silence&gt;0&lt;/silence&gt;&lt;/msgsource&gt;\n</msgsource>\n"
        f"\t\t\t<createtime>{int(time.time()) - 60}</createtime>\n\t\t</refermsg>\n"
    )
    return Made(_appmsg(57, reply, inner, sender_wxid=ctx.sender_wxid), LINK)


def chat_history(ctx):
    lines = [(ctx.name, "[图片]"), (ctx.name, "这是上次的订单"), ("客服小王", "好的已记录")]
    des = "\n".join(f"{who}: {said}" for who, said in lines)
    items = "".join(
        f'<dataitem datatype="{2 if said == "[图片]" else 1}" datasourceid="{ctx.rng.randint(10**17, 10**18)}">'
        + ("" if said == "[图片]" else f"<datadesc>{escape(said)}</datadesc>")
        + f"<sourcename>{escape(who)}</sourcename><sourcetime>2026-11-30 10:28:26</sourcetime></dataitem>"
        for who, said in lines
    )
    record = (
        f"<recordinfo><title>聊天记录</title><desc>{escape(des)}</desc>"
        f'<datalist count="{len(lines)}">{items}</datalist></recordinfo>'
    )
    inner = f"\t\t<recorditem>{cdata(record)}</recorditem>\n\t\t<appattach />\n"
    url = "https://support.weixin.qq.com/cgi-bin/mmsupport-bin/readtemplate?t=page/favorite_record__w_unsupport"
    title = "群聊的聊天记录" if ctx.group else f"{ctx.name}的聊天记录"
    return Made(_appmsg(19, title, inner, des=des, url=url, sender_wxid=ctx.sender_wxid), LINK)


def channels(ctx):
    author, desc = ctx.rng.choice(
        (("国风锦鲤", "周末去哪儿玩？这里超美#旅行"), ("美食小当家", "三分钟学会红烧肉#家常菜"))
    )
    cover = names.photo(ctx.rng)
    inner = (
        "\t\t<finderFeed>\n"
        f"\t\t\t<objectId>{ctx.rng.randint(10**18, 10**19)}</objectId>\n\t\t\t<feedType>4</feedType>\n"
        f"\t\t\t<nickname>{escape(author)}</nickname>\n\t\t\t<avatar>{escape(names.thumb(ctx.rng))}</avatar>\n"
        f"\t\t\t<desc>{escape(desc)}</desc>\n\t\t\t<mediaCount>1</mediaCount>\n"
        f"\t\t\t<username>v2_{hexid(24)}@finder</username>\n"
        "\t\t\t<mediaList>\n\t\t\t\t<media>\n\t\t\t\t\t<mediaType>4</mediaType>\n"
        f"\t\t\t\t\t<thumbUrl>{escape(cover)}</thumbUrl>\n\t\t\t\t\t<width>1080</width>\n\t\t\t\t\t<height>1920</height>\n"
        "\t\t\t\t\t<videoPlayDuration>10</videoPlayDuration>\n\t\t\t\t</media>\n\t\t\t</mediaList>\n"
        "\t\t</finderFeed>\n"
    )
    return Made(
        _appmsg(
            51,
            "当前微信版本不支持展示该内容，请升级至最新版本。",
            inner,
            url="https://support.weixin.qq.com/update/",
            sender_wxid=ctx.sender_wxid,
        ),
        LINK,
    )


PLACES = (
    ("39.903740", "116.397827", "北京市东城区东长安街", "北京天安门广场"),
    ("31.239692", "121.499718", "上海市浦东新区世纪大道1号", "东方明珠"),
    ("22.543096", "114.057865", "深圳市福田区福中三路", "深圳市民中心"),
)


def location(ctx):
    x, y, label, poi = ctx.rng.choice(PLACES)
    return Made(
        '<?xml version="1.0"?>\n<msg>\n'
        f'\t<location x="{x}" y="{y}" scale="15" label="{label}" maptype="roadmap" poiname="{poi}" '
        f'poiid="qqmap_{ctx.rng.randint(10**18, 10**19)}" buildingId="" floorName="" isFromPoiList="true" />\n</msg>\n',
        LOCATION,
    )


def transfer(ctx):
    amount = f"{ctx.rng.choice((0.1, 8.8, 66, 188, 520)):.2f}"
    return Made(
        '<msg>\n<appmsg appid="" sdkver="">\n'
        f"<title>{cdata('微信转账')}</title>\n<des>{cdata(f'收到转账{amount}元。如需收钱，请点此升级至最新版本')}</des>\n"
        "<action></action>\n<type>2000</type>\n<content><![CDATA[]]></content>\n"
        "<url><![CDATA[https://support.weixin.qq.com/cgi-bin/mmsupport-bin/readtemplate?t=page/common_page__upgrade]]></url>\n"
        "<lowurl></lowurl>\n<extinfo>\n</extinfo>\n<wcpayinfo>\n<paysubtype>1</paysubtype>\n"
        f"<feedesc>{cdata('￥' + amount)}</feedesc>\n"
        f"<transcationid>{cdata(str(ctx.rng.randint(10**30, 10**31)))}</transcationid>\n"
        f"<invalidtime>{cdata(int(time.time()) + 86400)}</invalidtime>\n"
        f"<pay_memo>{cdata(ctx.rng.choice(('', '货款', '定金')))}</pay_memo>\n"
        f"<receiver_username>{cdata(ctx.to)}</receiver_username>\n</wcpayinfo>\n</appmsg>\n</msg>",
        TRANSFER,
    )


def red_packet(ctx):
    wish = ctx.rng.choice(("恭喜发财，大吉大利", "新年快乐", "辛苦了"))
    return Made(
        '<msg>\n\t<appmsg appid="" sdkver="">\n'
        f"\t\t<des>{cdata('我给你发了一个红包，赶紧去拆!')}</des>\n"
        f"\t\t<url>{cdata('https://wxapp.tenpay.com/mmpayhb/wxhb_personalreceive?sendid=' + hexid(12))}</url>\n"
        f"\t\t<type>{cdata(2001)}</type>\n\t\t<title>{cdata('微信红包')}</title>\n"
        "\t\t<wcpayinfo>\n"
        f"\t\t\t<receivertitle>{cdata(wish)}</receivertitle>\n\t\t\t<sendertitle>{cdata(wish)}</sendertitle>\n"
        f"\t\t\t<scenetext>{cdata('微信红包')}</scenetext>\n\t\t\t<senderdes>{cdata('查看红包')}</senderdes>\n"
        "\t\t</wcpayinfo>\n\t</appmsg>\n"
        f"\t<fromusername>{cdata(ctx.sender_wxid)}</fromusername>\n</msg>\n",
        RED_PACKET,
    )


def pat(ctx):
    return Made(
        '<sysmsg type="pat">\n<pat>\n'
        f"  <fromusername>{ctx.sender_wxid}</fromusername>\n  <chatusername>{ctx.group or ctx.to}</chatusername>\n"
        f"  <pattedusername>{ctx.to}</pattedusername>\n  <patsuffix><![CDATA[]]></patsuffix>\n"
        "  <patsuffixversion>0</patsuffixversion>\n\n\n\n\n"
        f'  <template><![CDATA["${{{ctx.sender_wxid}}}" 拍了拍我]]></template>\n\n\n\n\n</pat>\n</sysmsg>',
        SYSTEM,
    )


def revoke(ctx):
    """The sender takes back an earlier message of theirs (newmsgid = its msgid)."""
    msgid = ctx.revokes or str(ctx.rng.randint(10**18, 10**19))
    return Made(
        f'<sysmsg type="revokemsg"><revokemsg><session>{ctx.group or ctx.sender}</session>'
        f"<msgid>{ctx.rng.randint(10**9, 2 * 10**9)}</msgid><newmsgid>{msgid}</newmsgid>"
        f'<replacemsg><![CDATA["{ctx.name}" 撤回了一条消息]]></replacemsg></revokemsg></sysmsg>',
        SYSTEM,
    )


def _template(template, links):
    body = "".join(
        f'\t\t\t\t<link name="{name}" type="link_profile">\n\t\t\t\t\t<memberlist>\n'
        + "".join(
            f"\t\t\t\t\t\t<member>\n\t\t\t\t\t\t\t<username>{cdata(wxid)}</username>\n"
            f"\t\t\t\t\t\t\t<nickname>{cdata(nick)}</nickname>\n\t\t\t\t\t\t</member>\n"
            for wxid, nick in people
        )
        + "\t\t\t\t\t</memberlist>\n"
        + ("\t\t\t\t\t<separator><![CDATA[、]]></separator>\n" if len(people) > 1 or name == "names" else "")
        + "\t\t\t\t</link>\n"
        for name, people in links
    )
    return (
        '<sysmsg type="sysmsgtemplate">\n\t<sysmsgtemplate>\n\t\t<content_template type="tmpl_type_profile">\n'
        f"\t\t\t<plain><![CDATA[]]></plain>\n\t\t\t<template>{cdata(template)}</template>\n"
        f"\t\t\t<link_list>\n{body}\t\t\t</link_list>\n\t\t</content_template>\n\t</sysmsgtemplate>\n</sysmsg>\n"
    )


def group_join(ctx):
    newcomer = names.person(ctx.rng)
    return Made(
        _template(
            '"$username$"邀请"$names$"加入了群聊',
            [("username", [(ctx.sender_wxid, ctx.name)]), ("names", [(newcomer["wxid"], newcomer["name"])])],
        ),
        SYSTEM,
    )


def group_kick(ctx):
    gone = names.person(ctx.rng)
    return Made(_template('你将"$kickoutname$"移出了群聊', [("kickoutname", [(gone["wxid"], gone["name"])])]), SYSTEM)


def group_notice(ctx):
    text = ctx.rng.choice(("本周六上午10点线下活动，请准时参加", "群内禁止发广告，违者移出", "新品已上架，欢迎咨询"))
    item = (
        '<group_notice_item type="18"><datalist count="1"><dataitem datatype="1">'
        f"<datadesc>{escape(text)}</datadesc></dataitem></datalist></group_notice_item>"
    )
    announcement = f"{ctx.sender_wxid}_{ctx.group}_{int(time.time())}"
    return Made(
        '<sysmsg type="mmchatroombarannouncememt">\n    <mmchatroombarannouncememt>\n'
        f"        <content>{cdata(text)}</content>\n"
        f"        <xmlcontent>{cdata(item)}</xmlcontent>\n"
        f"        <announcement_id>{cdata(announcement)}</announcement_id>\n"
        "    </mmchatroombarannouncememt>\n</sysmsg>",
        SYSTEM,
    )


def group_text(ctx):
    return Made(ctx.rng.choice(("你已成为新群主", f'"{ctx.name}"修改群名为“周末爬山群”', "群聊邀请确认已开启")), SYSTEM)


INVITE_URL = "https://support.weixin.qq.com/cgi-bin/mmsupport-bin/addchatroombyinvite?ticket="


def group_invite(ctx):
    group_name = ctx.rng.choice(("VIP客户交流群", "新品体验官", "周末爬山群"))
    des = f'"{ctx.name}"邀请你加入群聊"{group_name}"，进入可查看详情。'
    return Made(
        f'<msg><appmsg appid="" sdkver=""><title>{cdata("邀请你加入群聊")}</title><des>{cdata(des)}</des>'
        "<action>view</action><type>5</type><showtype>0</showtype><content></content>"
        f"<url>{cdata(INVITE_URL + hexid(12))}</url>"
        f"<thumburl>{cdata(names.thumb(ctx.rng))}</thumburl><lowurl></lowurl>"
        "<appattach><totallen>0</totallen><attachid></attachid><fileext></fileext></appattach><extinfo></extinfo>"
        "</appmsg><appinfo><version></version><appname></appname></appinfo></msg>",
        LINK,
    )


def text(ctx):
    return Made(names.chat_line(ctx.rng, group=bool(ctx.group)), TEXT)


MAKERS = {
    "text": text,
    "image": image,
    "emoji": emoji,
    "voice": voice,
    "video": video,
    "file": file,
    "file_uploading": lambda ctx: file(ctx, uploading=True),
    "link": link,
    "music": music,
    "card": card,
    "miniprogram": miniprogram,
    "quote": quote,
    "chat_history": chat_history,
    "channels": channels,
    "location": location,
    "transfer": transfer,
    "red_packet": red_packet,
    "pat": pat,
    "revoke": revoke,
    "group_invite": group_invite,
    "group_join": group_join,
    "group_kick": group_kick,
    "group_notice": group_notice,
    "group_text": group_text,
}
KINDS = tuple(MAKERS)
# Kinds whose group deliveries real hooks send with the sender line first (card__2, revoke__2).
PREFIXED = {"card", "revoke"}


@dataclass
class Context:
    rng: object
    sender: str  # the friend's or member's account
    sender_wxid: str
    name: str
    to: str  # the receiving account's wxid
    group: str = ""
    earlier: tuple = ()  # (msgid, wxid, name, text) of an earlier text in this chat, for quotes
    revokes: str = ""  # the msgid a revoke takes back


ECHO_KINDS = {IMAGE: "image", 15: "image", VOICE: "voice", VIDEO: "video", FILE: "file"}


def echo(content_type, ctx, file_name=""):
    """What the provider echoes (type 1) for media the account sent by URL: WeChat XML, as received."""
    made = MAKERS[ECHO_KINDS[content_type]](ctx)
    if content_type == FILE and file_name:
        ext = file_name.rsplit(".", 1)[-1] if "." in file_name else ""
        inner = (
            f"\t\t<appattach>\n\t\t\t<totallen>0</totallen>\n\t\t\t<fileext>{escape(ext)}</fileext>\n\t\t</appattach>\n"
        )
        made = Made(_appmsg(6, file_name, inner, sender_wxid=ctx.sender_wxid), FILE, file_name=file_name)
    made.content_type = content_type
    return made


def make(kind, ctx):
    """Made(content, content_type, file_name, voice_len) for one message of this kind."""
    if kind not in MAKERS:
        raise KeyError(kind)
    if kind in GROUP_ONLY and not ctx.group:
        raise ValueError(f"{kind} happens only in groups")
    made = MAKERS[kind](ctx)
    if ctx.group and kind in PREFIXED and ctx.rng.random() < 0.5:
        made.content = f"{ctx.sender_wxid}:\n{made.content}"
    return made
