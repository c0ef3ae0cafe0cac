"""Demo places from the news reports in shared/seeds (see DOMAIN.md).

Facts (names, addresses, floors, areas, printed hours, unit counts) come from the reports. Where
a report is silent (parent centers of some stations, most hours, capacities) the values are
plausible stand-ins, and the descriptions say so with "演示数据".
"""

from datetime import date, time
from decimal import Decimal

from django.db import transaction

from centers import weekdays
from centers.models import Center, OpeningException, OpeningRule, Space
from core.demo import Loaded, sync, sync_set

EVERY_DAY = weekdays.ALL_DAYS
MON_THU = weekdays.to_mask([0, 1, 2, 3])
FRI_SUN = weekdays.to_mask([4, 5, 6])
MON_FRI = weekdays.to_mask([0, 1, 2, 3, 4])
SAT_SUN = weekdays.to_mask([5, 6])
DEMO_NOTE = "演示数据：该站点的开放时间报道未载，以站点公告为准。"


def t(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def hours(*rows: tuple[int, str, str]) -> list[dict]:
    return [{"weekdays": d, "opens": t(o), "closes": t(c)} for d, o, c in rows]


DAILY_0830_2030 = hours((EVERY_DAY, "8:30", "20:30"))
ALL_DAY = hours((EVERY_DAY, "0:00", "0:00"))

# Booking rules by kind of space: (bookable, requires_approval, slot, min, max, days ahead,
# notice minutes, cancel deadline minutes).
RULES = {
    "meeting": (True, False, 30, 60, 240, 14, 120, 240),
    "approval": (True, True, 30, 60, 240, 30, 24 * 60, 24 * 60),
    "self_service": (True, False, 30, 30, 240, 7, 0, 30),
    "laundry": (True, False, 15, 45, 90, 2, 0, 15),
    "walk_in": (False, False, 30, 30, 120, 14, 60, 120),
}

# How each kind of space is used: buffers for setting up and tidying, check-in (and when an
# unclaimed booking is released: 0 keeps it until its end), limits per member and per team,
# door codes. A space entry's "rule_overrides" changes single values.
USE_RULES = {
    "meeting": {
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 15,
        "requires_check_in": True,
        "check_in_opens_minutes": 15,
        "release_after_minutes": 30,
        "max_active_per_member": 2,
        "max_active_per_team": 5,
        "weekly_quota_minutes": None,
        "uses_access_codes": False,
        "venue_code": "",
    },
    # Stages and halls: set-up before and clearing after; staff are there, so an audience that
    # does not come is noticed at the end rather than released early.
    "approval": {
        "buffer_before_minutes": 30,
        "buffer_after_minutes": 30,
        "requires_check_in": True,
        "check_in_opens_minutes": 30,
        "release_after_minutes": 0,
        "max_active_per_member": 1,
        "max_active_per_team": 4,
        "weekly_quota_minutes": None,
        "uses_access_codes": False,
        "venue_code": "",
    },
    "self_service": {
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
        "requires_check_in": True,
        "check_in_opens_minutes": 10,
        "release_after_minutes": 15,
        "max_active_per_member": 2,
        "max_active_per_team": 2,
        "weekly_quota_minutes": None,
        "uses_access_codes": False,
        "venue_code": "",
    },
    # Machines need no proof of showing up; the laundry door opens with the booking's code.
    "laundry": {
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
        "requires_check_in": False,
        "check_in_opens_minutes": 15,
        "release_after_minutes": 0,
        "max_active_per_member": 2,
        "max_active_per_team": 2,
        "weekly_quota_minutes": 360,
        "uses_access_codes": True,
        "venue_code": "",
    },
    "walk_in": {
        "buffer_before_minutes": 0,
        "buffer_after_minutes": 0,
        "requires_check_in": False,
        "check_in_opens_minutes": 15,
        "release_after_minutes": 15,
        "max_active_per_member": 2,
        "max_active_per_team": 5,
        "weekly_quota_minutes": None,
        "uses_access_codes": False,
        "venue_code": "",
    },
}

CENTERS = [
    {
        "name": "静安寺街道社区党群服务中心",
        "alias": "静邻一家",
        "district": "静安区",
        "subdistrict": "静安寺街道",
        "address": "新闸路1855号",
        "floors": 3,
        "area_m2": 3000,
        "hours_note": "部分场馆服务开放时间，具体以实际为准。",
        "description": (
            "经过一年多的升级改造，“静邻一家”静安寺街道社区党群服务中心于5月18日正式启用。"
            "中心共三层，约3000平方米的公共活动空间向党员、群众全面开放，"
            "提供“党务+政务+服务”一口式受理，一站式满足全龄段人群的需求。"
        ),
        "hours": DAILY_0830_2030,
        "exceptions": [
            {
                "start_date": date(2027, 1, 1),
                "end_date": date(2027, 1, 1),
                "opens": t("9:00"),
                "closes": t("17:00"),
                "note": "元旦缩短开放（演示数据）",
            },
        ],
        "spaces": [
            {
                "name": "同心荟社区食堂",
                "kind": Space.Kind.CANTEEN,
                "capacity": 80,
                "rules": "walk_in",
                "description": "助老、护老、惠老的社区食堂。辖区内60周岁及以上老年人等人群"
                "办理助餐卡时间为每日14:00—16:00。",
                "hours": hours(
                    (EVERY_DAY, "6:30", "9:00"),
                    (EVERY_DAY, "10:30", "14:00"),
                    (EVERY_DAY, "16:30", "20:00"),
                ),
            },
            {
                "name": "社区图书馆",
                "kind": Space.Kind.LIBRARY,
                "capacity": 60,
                "rules": "walk_in",
                "hours": hours((MON_THU, "8:30", "17:30"), (FRI_SUN, "8:30", "20:30")),
                "exceptions": [
                    {
                        "start_date": date(2027, 1, 1),
                        "end_date": date(2027, 1, 1),
                        "opens": None,
                        "closes": None,
                        "note": "元旦闭馆（演示数据）",
                    },
                ],
            },
            {
                "name": "市民健身驿站",
                "kind": Space.Kind.GYM,
                "capacity": 30,
                "rules": "walk_in",
                "hours": DAILY_0830_2030,
            },
            {
                "name": "组织关系转接室",
                "kind": Space.Kind.OTHER,
                "floor": 1,
                "capacity": 4,
                "rules": "walk_in",
                "description": "党组织关系转接、党务咨询接待、远程教育录屏指导、党员发展材料整理。",
            },
            {
                "name": "展厅",
                "kind": Space.Kind.OTHER,
                "floor": 1,
                "capacity": 40,
                "rules": "approval",
                "description": "展示街道党建、政治、经济、治理、社会、文化历史，可开展“三会一课”、"
                "主题党日等学习教育活动。",
            },
            {
                "name": "智慧党建教室",
                "kind": Space.Kind.CLASSROOM,
                "floor": 3,
                "capacity": 40,
                "rules": "approval",
                "equipment": "智能会议系统\n投影\n录屏设备",
                "description": "可根据不同需求变化为不同学习场景，用于“三会一课”、智能会议等。",
            },
            {
                "name": "宝宝屋",
                "kind": Space.Kind.CHILDREN,
                "capacity": 12,
                "rules": "walk_in",
                "description": "与未成年人保护站、儿童图书馆一起，缓解0—18岁人群的托育照护需求。",
            },
            {
                "name": "长者屋",
                "kind": Space.Kind.OTHER,
                "capacity": 20,
                "rules": "walk_in",
            },
            {
                "name": "新心驿站",
                "kind": Space.Kind.REST_STOP,
                "capacity": 10,
                "rules": "walk_in",
                "description": "为新业态、新就业群体提供有爱、暖心的歇脚处。",
            },
        ],
    },
    {
        "name": "友谊路街道社区党群服务中心",
        "district": "宝山区",
        "subdistrict": "友谊路街道",
        "address": "永清路899号",
        "floors": 5,
        "area_m2": 7200,
        "hours_note": "365天全开放，部分功能24小时服务（“延时+错时”服务）。",
        "description": (
            "中心共五层，约7200平方米的公共活动空间向党员、群众全面开放，2023年3月完成改造。"
            "每月场馆预约达230余场，累计服务12万余人次；已招募团队40支、社区达人50名。"
        ),
        "hours": hours((EVERY_DAY, "8:30", "21:00")),
        "spaces": [
            {
                "name": "24小时畅享驿站",
                "kind": Space.Kind.REST_STOP,
                "floor": 1,
                "capacity": 20,
                "rules": "walk_in",
                "hours": ALL_DAY,
                "description": "为新业态新就业群体提供休息、饮水等基础服务，配送公益爱心早餐。",
            },
            {
                "name": "学习讲堂",
                "kind": Space.Kind.LECTURE_HALL,
                "floor": 2,
                "capacity": 120,
                "rules": "approval",
                "equipment": "投影\n音响\n话筒",
                "description": "红色教育、专题培训、文艺演出、电影展播。",
            },
            {
                "name": "百姓舞台",
                "kind": Space.Kind.STAGE,
                "floor": 3,
                "capacity": 80,
                "rules": "approval",
                "equipment": "灯光\n音响",
                "description": "演讲、沙龙、小型演出、展览、会议。",
            },
            {
                "name": "长者运动健康之家",
                "kind": Space.Kind.FITNESS,
                "floor": 3,
                "capacity": 20,
                "rules": "walk_in",
                "description": "针对中老年群体，由专业人员提供康复锻炼、健康理疗。",
            },
            {
                "name": "国学讲堂",
                "kind": Space.Kind.CLASSROOM,
                "floor": 4,
                "capacity": 30,
                "rules": "meeting",
                "description": "棋类、古琴授课点；君子六艺、非遗剪纸、汉服体验活动。",
            },
            {
                "name": "青少年共享空间",
                "kind": Space.Kind.YOUTH,
                "floor": 4,
                "capacity": 25,
                "rules": "meeting",
                "description": "爱国主义教育基地、创新屋、科普角。",
            },
            {
                "name": "谊家直播间",
                "kind": Space.Kind.STUDIO,
                "floor": 4,
                "capacity": 6,
                "rules": "meeting",
                "equipment": "直播设备\n补光灯\n录音设备",
                "eligibility_note": "仅限实名认证居民",
                "description": "党课直播、录制，心理健康、医疗养生等宣讲。",
            },
            {
                "name": "共享餐厅",
                "kind": Space.Kind.CANTEEN,
                "floor": 4,
                "capacity": 60,
                "rules": "walk_in",
                "description": "智慧餐厅，满足居民日常就餐；非就餐时间开设烘焙类课程。",
            },
            {
                "name": "多功能室",
                "kind": Space.Kind.MULTI_FUNCTION,
                "floor": 5,
                "capacity": 40,
                "rules": "meeting",
                "description": "誓词教育、组织生活、电影党课等。",
            },
            {
                "name": "悦读空间",
                "kind": Space.Kind.LIBRARY,
                "floor": 5,
                "capacity": 30,
                "rules": "walk_in",
                "description": "“赠出你的书籍、留下你的祝福”。",
            },
        ],
    },
    {
        "name": "凉城新村街道社区党群服务中心",
        "district": "虹口区",
        "subdistrict": "凉城新村街道",
        "address": "凉城新村街道（演示数据：报道未载门牌）",
        "description": "聚集青年创业者、专业工作者、退休干部、工程师、教师、文艺工作者等资源，"
        "为独居老人、残疾人员等困难群体提供预约上门服务、“一对一”咨询、微心愿等服务。",
        "hours": hours((MON_FRI, "8:30", "17:00"), (SAT_SUN, "9:00", "16:00")),
        "hours_note": DEMO_NOTE,
        "stations": [
            {
                "name": "雷允上凉城药房党群服务站",
                "address": "凉城新村街道（合作商家）",
                "description": "特色党群服务小站：中医问诊、名贵药材鉴别、传统中药辨识；节假日照常开放。",
                "hours": hours((EVERY_DAY, "8:30", "20:00")),
                "spaces": [
                    {
                        "name": "中医问诊室",
                        "kind": Space.Kind.OTHER,
                        "capacity": 2,
                        "rules": "walk_in",
                    }
                ],
            },
            {
                "name": "章氏餐饮党群服务站",
                "address": "凉城新村街道（合作商家）",
                "description": "美食体验课、爱心休憩点、特殊群体助餐优惠；节假日照常开放。",
                "hours": hours((EVERY_DAY, "10:00", "21:00")),
                "spaces": [
                    {
                        "name": "美食体验课堂",
                        "kind": Space.Kind.KITCHEN,
                        "capacity": 12,
                        "rules": "approval",
                    }
                ],
            },
            {
                "name": "好宜家眼镜党群服务站",
                "address": "凉城新村街道（合作商家）",
                "description": "爱眼护眼服务；节假日照常开放。",
                "hours": hours((EVERY_DAY, "9:30", "20:00")),
            },
            {
                "name": "大桶大足浴党群服务站",
                "address": "凉城新村街道（合作商家）",
                "description": "足浴按摩和艾灸；节假日照常开放。",
                "hours": hours((EVERY_DAY, "11:00", "2:00")),
            },
            {
                "name": "凉城社区市民驿站",
                "address": "凉城新村街道",
                "description": "每周半天“驿心便民周周享”集中便民服务（理发、扦脚、眼镜护理、"
                "钟表维修等，每场约200人次）；“智能走进生活”手机课堂。",
                "hours": hours((MON_FRI, "8:30", "17:00")),
                "spaces": [
                    {
                        "name": "驿站活动室",
                        "kind": Space.Kind.MULTI_FUNCTION,
                        "capacity": 30,
                        "rules": "meeting",
                    }
                ],
            },
        ],
    },
    {
        "name": "长征镇社区党群服务中心",
        "district": "普陀区",
        "subdistrict": "长征镇",
        "address": "长征镇（演示数据：报道未载门牌）",
        "description": "演示数据：报道中长征镇各居民区党群服务站的上级中心。",
        "hours": hours((MON_FRI, "8:30", "17:00")),
        "hours_note": DEMO_NOTE,
        "stations": [
            {
                "name": "长征镇丽湖居民区党群服务站",
                "address": "长征镇丽湖居民区",
                "description": "在普陀区2024年居村党组织书记论坛上正式揭牌，成为居民“家门口”的新去处。",
                "hours": hours((EVERY_DAY, "8:30", "20:00")),
                "spaces": [
                    {
                        "name": "阅心书斋",
                        "kind": Space.Kind.STUDY_ROOM,
                        "capacity": 10,
                        "units": 10,
                        "unit_label": "座位",
                        "rules": "self_service",
                        "hours": ALL_DAY,
                        "eligibility_note": "实名认证后通过小程序获取随机密码进入",
                        # The random door code of the report; members check in themselves
                        # with the code on the table (24 hours, no staff at night).
                        "rule_overrides": {
                            "uses_access_codes": True,
                            "venue_code": "246810",
                            "weekly_quota_minutes": 20 * 60,
                        },
                        "equipment": "六边形大桌\n黑板",
                        "description": "“沪漂自习室”：两面环窗，中间一张六边形的桌子可容纳10余人"
                        "同时学习，24小时全天候服务。",
                    }
                ],
            },
            {
                "name": "馨越河湾居民区党群服务站",
                "address": "长征镇馨越河湾居民区",
                "description": "举办急救沙龙等活动。",
                "hours": hours((MON_FRI, "9:00", "17:00")),
                "spaces": [
                    {
                        "name": "活动室",
                        "kind": Space.Kind.MULTI_FUNCTION,
                        "capacity": 20,
                        "rules": "meeting",
                    }
                ],
            },
            {
                "name": "象源丽都居民区党群服务站",
                "address": "长征镇象源丽都居民区",
                "description": "“象源青年营造计划”：共享家长课堂、共享集市、智理共享家、共享音乐会。",
                "hours": hours((MON_FRI, "9:00", "17:00"), (SAT_SUN, "9:00", "12:00")),
                "spaces": [
                    {
                        "name": "共享客厅",
                        "kind": Space.Kind.MULTI_FUNCTION,
                        "capacity": 30,
                        "rules": "meeting",
                    }
                ],
            },
        ],
    },
    {
        "name": "小东门街道社区党群服务中心",
        "district": "黄浦区",
        "subdistrict": "小东门街道",
        "address": "小东门街道（演示数据：报道未载门牌）",
        "description": "演示数据：“邻家屋里厢”服务站的上级中心。",
        "hours": hours((MON_FRI, "8:30", "17:00")),
        "hours_note": DEMO_NOTE,
        "stations": [
            {
                "name": "“邻家屋里厢”服务站",
                "alias": "屋里厢",
                "address": "小东门街道康家弄",
                "description": "集助浴、助餐、助洗、助医、休闲娱乐、小家电维修等功能于一体，全年无休。"
                "对80岁以上老人免费提供服务，其他居民可以用志愿服务、参加活动换积分。",
                "hours": hours((EVERY_DAY, "7:00", "21:00")),
                "hours_note": "全年无休（每日时段为演示数据）。",
                "spaces": [
                    {
                        "name": "灶间",
                        "kind": Space.Kind.KITCHEN,
                        "capacity": 4,
                        "units": 4,
                        "unit_label": "灶位",
                        "rules": "self_service",
                        "description": "十几平方米，“定制”了四户人家的厨房设备。",
                    },
                    {
                        "name": "公共浴室",
                        "kind": Space.Kind.BATH,
                        "capacity": 1,
                        "rules": "self_service",
                    },
                    {
                        "name": "公共洗衣房·洗衣机",
                        "kind": Space.Kind.LAUNDRY,
                        "capacity": 1,
                        "units": 6,
                        "unit_label": "台洗衣机",
                        "rules": "laundry",
                        "description": "六台洗衣机，自助洗衣。",
                    },
                    {
                        "name": "公共洗衣房·烘干机",
                        "kind": Space.Kind.LAUNDRY,
                        "capacity": 1,
                        "units": 2,
                        "unit_label": "台烘干机",
                        "rules": "laundry",
                        "description": "两台烘干设备。",
                    },
                    {
                        "name": "公共就餐区",
                        "kind": Space.Kind.CANTEEN,
                        "capacity": 16,
                        "rules": "walk_in",
                    },
                ],
            },
        ],
    },
    {
        "name": "嘉兴路街道社区党群服务中心",
        "district": "虹口区",
        "subdistrict": "嘉兴路街道",
        "address": "嘉兴路街道（演示数据：报道未载门牌）",
        "description": "演示数据：嘉兴路街道市民驿站的上级中心。",
        "hours": hours((MON_FRI, "8:30", "17:00")),
        "hours_note": DEMO_NOTE,
        "stations": [
            {
                "name": "嘉兴路街道市民驿站第一分站",
                "address": "天宝路881号二楼",
                "description": "集纳就餐、诊疗、手工、咨询等功能，“麻雀虽小，五脏俱全”；党建服务站覆盖"
                "6个居民区党总支、15个“两新”组织党组织和16家区域化党建成员单位。",
                "hours": hours((EVERY_DAY, "8:00", "19:00")),
                "spaces": [
                    {
                        "name": "手工活动室",
                        "kind": Space.Kind.CLASSROOM,
                        "floor": 2,
                        "capacity": 15,
                        "rules": "meeting",
                    },
                    {
                        "name": "诊疗室",
                        "kind": Space.Kind.OTHER,
                        "floor": 2,
                        "capacity": 2,
                        "rules": "walk_in",
                    },
                    {
                        "name": "就餐区",
                        "kind": Space.Kind.CANTEEN,
                        "floor": 2,
                        "capacity": 30,
                        "rules": "walk_in",
                    },
                ],
            },
        ],
    },
]

# Phone numbers a center would have, clearly made up (021-0000-xxxx), and where the buildings
# are, near enough for "nearest first" and a map link.
CONTACTS = {
    "静安寺街道社区党群服务中心": ("021-0000-0101", "31.23370", "121.44600"),
    "友谊路街道社区党群服务中心": ("021-0000-0201", "31.40630", "121.48900"),
    "凉城新村街道社区党群服务中心": ("021-0000-0301", "31.28900", "121.47000"),
    "雷允上凉城药房党群服务站": ("021-0000-0302", "31.28950", "121.47120"),
    "章氏餐饮党群服务站": ("021-0000-0303", "31.28810", "121.46890"),
    "好宜家眼镜党群服务站": ("021-0000-0304", "31.29020", "121.47230"),
    "大桶大足浴党群服务站": ("021-0000-0305", "31.28760", "121.47310"),
    "凉城社区市民驿站": ("021-0000-0306", "31.29110", "121.46940"),
    "长征镇社区党群服务中心": ("021-0000-0401", "31.24500", "121.38800"),
    "长征镇丽湖居民区党群服务站": ("021-0000-0402", "31.24730", "121.38410"),
    "馨越河湾居民区党群服务站": ("021-0000-0403", "31.24220", "121.39150"),
    "象源丽都居民区党群服务站": ("021-0000-0404", "31.24890", "121.39260"),
    "小东门街道社区党群服务中心": ("021-0000-0501", "31.22600", "121.49900"),
    "“邻家屋里厢”服务站": ("021-0000-0502", "31.22480", "121.50120"),
    "嘉兴路街道社区党群服务中心": ("021-0000-0601", "31.26600", "121.49300"),
    "嘉兴路街道市民驿站第一分站": ("021-0000-0602", "31.26710", "121.49380"),
}

_CENTER_FIELDS = (
    "alias",
    "district",
    "subdistrict",
    "address",
    "phone",
    "floors",
    "area_m2",
    "description",
    "hours_note",
)
_SPACE_FIELDS = (
    "kind",
    "floor",
    "capacity",
    "units",
    "unit_label",
    "eligibility_note",
    "equipment",
    "description",
)
_SPACE_DEFAULTS = {"floor": None, "units": 1, "unit_label": "", "eligibility_note": ""}
_SPACE_DEFAULTS |= {"equipment": "", "description": ""}


def _rule_values(name: str) -> dict:
    bookable, approval, slot, low, high, ahead, notice, cancel = RULES[name]
    return {
        "bookable": bookable,
        "requires_approval": approval,
        "slot_minutes": slot,
        "min_minutes": low,
        "max_minutes": high,
        "max_days_ahead": ahead,
        "min_notice_minutes": notice,
        "cancel_deadline_minutes": cancel,
    } | USE_RULES[name]


def _load_center(data: dict, parent: Center | None) -> Center:
    values = {
        field: data.get(field, "" if field not in ("floors", "area_m2") else None)
        for field in _CENTER_FIELDS
    }
    if parent is not None:
        values |= {"district": parent.district, "subdistrict": parent.subdistrict}
    values |= {
        "kind": Center.Kind.STATION if parent else Center.Kind.CENTER,
        "parent": parent,
        "is_active": True,
    }
    if data["name"] in CONTACTS:
        phone, latitude, longitude = CONTACTS[data["name"]]
        values |= {"phone": phone, "latitude": Decimal(latitude), "longitude": Decimal(longitude)}
    center = sync(Center, {"name": data["name"]}, values)
    sync_set(OpeningRule, {"center": center, "space": None}, data.get("hours", []))
    sync_set(OpeningException, {"center": center, "space": None}, data.get("exceptions", []))
    for space_data in data.get("spaces", []):
        values = {f: space_data.get(f, _SPACE_DEFAULTS.get(f)) for f in _SPACE_FIELDS}
        values |= _rule_values(space_data["rules"]) | space_data.get("rule_overrides", {})
        values |= {"is_active": True}
        space = sync(Space, {"center": center, "name": space_data["name"]}, values)
        sync_set(OpeningRule, {"center": None, "space": space}, space_data.get("hours", []))
        sync_set(
            OpeningException, {"center": None, "space": space}, space_data.get("exceptions", [])
        )
    for station in data.get("stations", []):
        _load_center(station | {"district": data["district"]}, center)
    return center


@transaction.atomic
def load_places() -> list[Center]:
    """Create or bring up to date every demo center, station, space and their hours."""
    return [_load_center(data, None) for data in CENTERS]


def load_demo() -> Loaded:
    return Loaded(summary=f"{len(load_places())} centers")
