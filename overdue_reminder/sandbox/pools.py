"""Word lists the generator draws names, addresses and (privileged) work descriptions from."""

from __future__ import annotations

EN_FIRST = ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
            "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
            "Daniel", "Nancy", "Matthew", "Lisa", "Anthony", "Betty", "Mark", "Margaret", "Steven", "Sandra",
            "Paul", "Ashley", "Andrew", "Kimberly", "Joshua", "Emily", "Kevin", "Michelle", "Brian", "Carol",
            "George", "Amanda", "Ingrid", "Olga", "Hans", "Pierre", "Sophie", "Lukas", "Amélie", "Chloé")
EN_LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
           "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
           "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
           "Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
           "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Schmidt",
           "Müller", "Lefèvre", "Fischer", "Weber", "O'Connor")
COMPANY_HEAD = ("Keystone", "Brightwater", "Northwind", "Silverline", "Redwood", "Summit", "Harborview", "Ironbridge",
                "Bluepeak", "Crescent", "Evergreen", "Granite", "Lakeshore", "Meridian", "Oakridge", "Pinnacle",
                "Riverside", "Stonegate", "Tidewater", "Westbrook", "Aurora", "Beacon", "Cascade", "Driftwood",
                "Falcon", "Highland", "Juniper", "Kingsley", "Lighthouse", "Maple", "Nova", "Orion", "Pacific",
                "Quarry", "Sterling", "Trident", "Vanguard", "Willow", "Zenith", "Copperfield")
COMPANY_BODY = ("Capital Partners", "Logistics", "Biotech", "Properties", "Manufacturing", "Software", "Foods",
                "Energy", "Media", "Health Systems", "Construction", "Retail Group", "Holdings", "Ventures",
                "Analytics", "Shipping", "Textiles", "Robotics", "Pharmaceuticals", "Consulting", "Aerospace",
                "Hospitality", "Insurance Brokers", "Semiconductors", "Realty Trust")
SUFFIXES = {"US": ("LLC", "Inc.", "LP", "Corp.", "Co."), "GB": ("Ltd", "PLC", "LLP"), "DE": ("GmbH", "AG"),
            "FR": ("SAS", "SA", "SARL"), "CA": ("Inc.", "Ltd."), "CN": ("Ltd.",)}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


ZH_CITY = _words("杭州 北京 上海 深圳 广州 成都 南京 苏州 武汉 西安 天津 重庆")
ZH_BRAND = _words("云帆 华信 天成 瑞丰 金桥 远航 博达 恒通 鼎盛 新元 宏图 中科 嘉禾 东方 盛世 锦程 汇丰源 长青")
ZH_INDUSTRY = _words("网络科技 贸易 医药 投资管理 建设工程 物流 文化传媒 电子 新能源 食品 生物技术 咨询")
ZH_SURNAME = _words("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗")
ZH_GIVEN = _words("伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 "
                  "平 刚 桂英 建华 晓东 海燕 志强 文博 思远 雨桐")
ADDRESSES = {
    "US": (("Boston", "02135"), ("New York", "10017"), ("Chicago", "60601"), ("San Francisco", "94105"),
           ("Austin", "78701"), ("Seattle", "98101"), ("Denver", "80202"), ("Miami", "33131")),
    "GB": (("London", "EC2A 4NE"), ("Manchester", "M1 1AE"), ("Edinburgh", "EH1 1YZ")),
    "DE": (("Berlin", "10115"), ("München", "80331"), ("Hamburg", "20095"), ("Frankfurt am Main", "60311")),
    "FR": (("Paris", "75008"), ("Lyon", "69002"), ("Marseille", "13001")),
    "CA": (("Toronto", "M5H 2N2"), ("Vancouver", "V6C 1T2"), ("Montréal", "H3B 4W8")),
    "CN": (("Beijing", "100000"), ("Shanghai", "200000"), ("Hangzhou", "310000"), ("Shenzhen", "518000")),
}
STREETS = {"US": ("Hill St", "Main St", "Oak Ave", "Market St", "Elm St", "Congress Ave", "Lake Shore Dr"),
           "GB": ("Old Broad Street", "King's Road", "Princes Street"),
           "DE": ("Friedrichstraße", "Maximilianstraße", "Jungfernstieg", "Zeil"),
           "FR": ("rue de Rivoli", "avenue des Champs-Élysées", "rue de la République"),
           "CA": ("Bay Street", "Granville Street", "Rue Sainte-Catherine"),
           "CN": ("北京市朝阳区建国路", "上海市浦东新区世纪大道", "杭州市西湖区文三路", "深圳市南山区科技园路")}
TASKS = ("Drafted and revised motion to compel discovery", "Conference with client regarding settlement strategy",
         "Legal research on statute of limitations defenses", "Prepared outline for deposition of the CFO",
         "Reviewed internal emails concerning alleged misconduct", "Analysed exposure under indemnification clause",
         "Drafted privileged memorandum on litigation risk", "Negotiated terms of severance agreement",
         "Prepared response to regulator's document request", "Reviewed board minutes for disclosure issues",
         "Strategy session on criminal referral risk", "Drafted witness statement of former employee")
TOPICS = ("the pending arbitration against the former distributor", "the SEC inquiry into revenue recognition",
          "the wrongful termination claim brought by a former manager", "the patent infringement suit",
          "merger due diligence findings", "the internal embezzlement investigation",
          "the custody dispute and related asset tracing", "the environmental contamination claim",
          "the trade secret misappropriation matter", "the tax audit and voluntary disclosure")
