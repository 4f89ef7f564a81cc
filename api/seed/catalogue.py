"""The fixed part of the demo data: code lists, staff, the product catalogue, and the words
company and department names are made of. Everything drawn at random is in generate.py."""

from __future__ import annotations

from dataclasses import dataclass

# (code, name). Codes are what the API and selection queries use; names are what staff read.
PERSON_TYPES = (
    ("CUSTOMER", "顧客"),
    ("PROSPECT", "見込客"),
    ("CONTACT", "取引先担当"),
    ("VIP", "VIP"),
    ("REFERRER", "紹介者"),
)
SELECTION_TYPES = (
    ("NENGA", "年賀状送付先"),
    ("CHUGEN", "お中元送付先"),
    ("SEIBO", "お歳暮送付先"),
    ("NEWSLETTER", "ニュースレター"),
    ("SEMINAR", "セミナー案内"),
    ("CATALOG", "カタログ送付先"),
)
# DESIGN.md names the 顧客分類 codes by their Japanese words (classifications: 取引先, 販売先 …).
COMPANY_CLASSIFICATIONS = (
    ("取引先", "取引先"),
    ("販売先", "販売先"),
    ("仕入先", "仕入先"),
    ("見込み", "見込み"),
)
BRANCHES = (
    ("TKY", "東京本社"),
    ("OSK", "大阪支店"),
    ("NGY", "名古屋支店"),
    ("FUK", "福岡支店"),
)
SECTIONS = (
    ("SALES1", "営業第一部"),
    ("SALES2", "営業第二部"),
    ("MARKETING", "マーケティング部"),
    ("SUPPORT", "お客様サービス部"),
    ("ADMIN", "総務部"),
)
SALES_SECTIONS = ("SALES1", "SALES2")

# user_code_N value masters: slot → (what the slot means, ((code, name), …)). The meaning is
# for people reading this file and the demo; the register stores only the values.
PERSON_USER_CODES = {
    1: ("VIP区分", (("A", "最重要"), ("B", "重要"), ("C", "一般"))),
    2: (
        "入手経路",
        (
            ("EXPO", "展示会"),
            ("WEB", "Webサイト"),
            ("REFERRAL", "紹介"),
            ("DM", "ダイレクトメール"),
            ("CARD", "名刺交換"),
        ),
    ),
    3: ("会員ランク", (("GOLD", "ゴールド"), ("SILVER", "シルバー"), ("BRONZE", "ブロンズ"))),
}
PRODUCT_USER_CODES = {
    1: ("ブランド区分", (("ORIGINAL", "自社ブランド"), ("IMPORT", "輸入品"), ("OEM", "OEM"))),
    2: ("シーズン", (("SS", "春夏"), ("AW", "秋冬"), ("ALL", "通年"))),
    3: (
        "カラー",
        (
            ("RED", "赤"),
            ("BLUE", "青"),
            ("BLACK", "黒"),
            ("WHITE", "白"),
            ("BROWN", "茶"),
            ("GRAY", "グレー"),
            ("NAVY", "紺"),
            ("BEIGE", "ベージュ"),
            ("GREEN", "緑"),
        ),
    ),
}
COLOUR_NAMES = dict(PRODUCT_USER_CODES[3][1])

# Our own staff: (branch, section) of staff01, staff02, … Sales staff own customers and sell.
EMPLOYEES = (
    ("TKY", "SALES1"),
    ("TKY", "SALES1"),
    ("TKY", "SALES1"),
    ("TKY", "SALES2"),
    ("TKY", "SALES2"),
    ("TKY", "SALES2"),
    ("TKY", "MARKETING"),
    ("TKY", "MARKETING"),
    ("TKY", "SUPPORT"),
    ("TKY", "ADMIN"),
    ("OSK", "SALES1"),
    ("OSK", "SALES1"),
    ("OSK", "SALES2"),
    ("OSK", "SALES2"),
    ("NGY", "SALES1"),
    ("NGY", "SALES1"),
    ("NGY", "SALES2"),
    ("FUK", "SALES1"),
    ("FUK", "SALES1"),
    ("FUK", "SALES2"),
)

# 商品分類: (code, name, parent code), parents first.
CATEGORIES = (
    ("APPAREL", "衣料品", None),
    ("FUR", "毛皮", "APPAREL"),
    ("MINK", "ミンク", "FUR"),
    ("SABLE", "セーブル", "FUR"),
    ("FOX", "フォックス", "FUR"),
    ("MENSWEAR", "紳士服", "APPAREL"),
    ("WOMENSWEAR", "婦人服", "APPAREL"),
    ("SHOES", "靴", None),
    ("MENS_SHOES", "紳士靴", "SHOES"),
    ("WOMENS_SHOES", "婦人靴", "SHOES"),
    ("BAGS", "バッグ・小物", None),
    ("HANDBAGS", "ハンドバッグ", "BAGS"),
    ("WALLETS", "財布・革小物", "BAGS"),
    ("JEWELRY", "宝飾品", None),
    ("RINGS", "指輪", "JEWELRY"),
    ("NECKLACES", "ネックレス", "JEWELRY"),
    ("FOOD", "食品", None),
    ("SWEETS", "菓子", "FOOD"),
    ("DRINKS", "飲料", "FOOD"),
    ("SEASONINGS", "調味料", "FOOD"),
    ("GIFT", "ギフト", None),
    ("CHUGEN", "お中元", "GIFT"),
    ("SEIBO", "お歳暮", "GIFT"),
    ("CATALOG_GIFT", "カタログギフト", "GIFT"),
)


@dataclass(frozen=True)
class Item:
    """A product line; one Product per colour (or one without a colour)."""

    category: str
    name: str
    price: int
    colours: tuple[str, ...] = ()
    brand: str | None = None
    season: str = "ALL"


_FUR = {"brand": "IMPORT", "season": "AW"}
ITEMS = (
    Item("MINK", "ミンクロングコート", 980000, ("BLACK", "BROWN", "WHITE"), **_FUR),
    Item("MINK", "ミンクショートジャケット", 580000, ("BLACK", "BROWN"), **_FUR),
    Item("MINK", "ミンクストール", 198000, ("BLACK", "BROWN", "GRAY"), **_FUR),
    Item("MINK", "ミンクマフラー", 68000, ("BLACK", "BROWN", "WHITE", "GRAY"), **_FUR),
    Item("SABLE", "セーブルコート", 2400000, ("BROWN", "BLACK"), **_FUR),
    Item("SABLE", "セーブルショール", 380000, ("BROWN",), **_FUR),
    Item("FOX", "フォックスファーコート", 280000, ("WHITE", "GRAY", "BROWN"), **_FUR),
    Item("FOX", "フォックスティペット", 39800, ("WHITE", "GRAY", "BROWN", "BEIGE"), **_FUR),
    Item("FOX", "フォックスファー帽子", 29800, ("WHITE", "GRAY"), **_FUR),
    Item("MENSWEAR", "ウールスーツ", 88000, ("NAVY", "GRAY", "BLACK"), "ORIGINAL", "AW"),
    Item("MENSWEAR", "サマースーツ", 78000, ("NAVY", "GRAY", "BEIGE"), "ORIGINAL", "SS"),
    Item("MENSWEAR", "カシミヤコート", 128000, ("NAVY", "BLACK", "BEIGE"), "IMPORT", "AW"),
    Item("MENSWEAR", "ドレスシャツ", 12800, ("WHITE", "BLUE"), "ORIGINAL"),
    Item("MENSWEAR", "シルクネクタイ", 15800, ("NAVY", "RED", "GREEN"), "IMPORT"),
    Item("WOMENSWEAR", "ツイードジャケット", 68000, ("BEIGE", "BLACK", "NAVY"), "IMPORT", "AW"),
    Item("WOMENSWEAR", "シルクブラウス", 24800, ("WHITE", "BEIGE"), "ORIGINAL", "SS"),
    Item("WOMENSWEAR", "ワンピース", 39800, ("BLACK", "NAVY", "RED"), "ORIGINAL"),
    Item("WOMENSWEAR", "カシミヤニット", 29800, ("GRAY", "BEIGE", "RED"), "ORIGINAL", "AW"),
    Item("MENS_SHOES", "ストレートチップ", 48000, ("BLACK", "BROWN"), "ORIGINAL"),
    Item("MENS_SHOES", "ローファー", 36000, ("BLACK", "BROWN"), "ORIGINAL"),
    Item("MENS_SHOES", "スエードブーツ", 52000, ("BROWN", "GRAY"), "IMPORT", "AW"),
    Item("WOMENS_SHOES", "パンプス", 32000, ("BLACK", "BEIGE", "RED"), "ORIGINAL"),
    Item("WOMENS_SHOES", "ショートブーツ", 45000, ("BLACK", "BROWN"), "IMPORT", "AW"),
    Item("WOMENS_SHOES", "バレエシューズ", 22000, ("BLACK", "BEIGE", "NAVY"), "OEM", "SS"),
    Item("HANDBAGS", "レザートートバッグ", 68000, ("BLACK", "BROWN", "BEIGE"), "ORIGINAL"),
    Item("HANDBAGS", "ショルダーバッグ", 54000, ("BLACK", "RED", "NAVY"), "IMPORT"),
    Item("HANDBAGS", "クラッチバッグ", 28000, ("BLACK", "WHITE"), "OEM"),
    Item("WALLETS", "長財布", 32000, ("BLACK", "BROWN", "RED"), "ORIGINAL"),
    Item("WALLETS", "名刺入れ", 12000, ("BLACK", "BROWN", "NAVY"), "ORIGINAL"),
    Item("WALLETS", "キーケース", 9800, ("BLACK", "BROWN"), "OEM"),
    Item("RINGS", "プラチナダイヤモンドリング", 380000, (), "ORIGINAL"),
    Item("RINGS", "パールリング", 85000, (), "ORIGINAL"),
    Item("NECKLACES", "真珠ネックレス", 158000, (), "ORIGINAL"),
    Item("NECKLACES", "18金ネックレス", 98000, (), "IMPORT"),
    Item("SWEETS", "和菓子詰合せ", 3240),
    Item("SWEETS", "焼き菓子詰合せ", 4320),
    Item("SWEETS", "本練り羊羹", 2700),
    Item("SWEETS", "手焼き煎餅詰合せ", 3000),
    Item("DRINKS", "日本茶ギフト", 5400),
    Item("DRINKS", "ドリップコーヒーギフト", 4320),
    Item("DRINKS", "純米吟醸酒", 3980),
    Item("SEASONINGS", "醤油詰合せ", 3240),
    Item("SEASONINGS", "だしパック詰合せ", 2160),
    Item("CHUGEN", "手延べ素麺詰合せ", 3240, season="SS"),
    Item("CHUGEN", "ロースハム詰合せ", 5400, season="SS"),
    Item("CHUGEN", "フルーツゼリー詰合せ", 4320, season="SS"),
    Item("CHUGEN", "ビール詰合せ", 5500, season="SS"),
    Item("CHUGEN", "水羊羹詰合せ", 3780, season="SS"),
    Item("SEIBO", "新巻鮭切身詰合せ", 6480, season="AW"),
    Item("SEIBO", "ずわい蟹", 10800, season="AW"),
    Item("SEIBO", "和牛すき焼き用", 10800, season="AW"),
    Item("SEIBO", "洋菓子詰合せ", 4320, season="AW"),
    Item("SEIBO", "日本酒飲み比べセット", 5500, season="AW"),
    Item("CATALOG_GIFT", "カタログギフト 3,800円コース", 3800),
    Item("CATALOG_GIFT", "カタログギフト 5,800円コース", 5800),
    Item("CATALOG_GIFT", "カタログギフト 10,800円コース", 10800),
    Item("CATALOG_GIFT", "カタログギフト 30,800円コース", 30800),
)
# Gift categories whose sales crowd into their season (お中元 early summer, お歳暮 December).
GIFT_SEASONS = {"CHUGEN": ((6, 15), (8, 15)), "SEIBO": ((11, 15), (12, 31))}

# Company names: a prefix (a surname or one of these words) + a line of business.
COMPANY_WORDS = (
    ("日本", "ニホン"),
    ("東京", "トウキョウ"),
    ("大阪", "オオサカ"),
    ("名古屋", "ナゴヤ"),
    ("横浜", "ヨコハマ"),
    ("京都", "キョウト"),
    ("神戸", "コウベ"),
    ("札幌", "サッポロ"),
    ("仙台", "センダイ"),
    ("広島", "ヒロシマ"),
    ("福岡", "フクオカ"),
    ("北海道", "ホッカイドウ"),
    ("東北", "トウホク"),
    ("関東", "カントウ"),
    ("中部", "チュウブ"),
    ("関西", "カンサイ"),
    ("九州", "キュウシュウ"),
    ("東洋", "トウヨウ"),
    ("大和", "ヤマト"),
    ("富士", "フジ"),
    ("旭", "アサヒ"),
    ("三和", "サンワ"),
    ("昭和", "ショウワ"),
    ("平和", "ヘイワ"),
    ("日進", "ニッシン"),
    ("共栄", "キョウエイ"),
    ("協和", "キョウワ"),
    ("太陽", "タイヨウ"),
    ("光", "ヒカリ"),
    ("中央", "チュウオウ"),
    ("第一", "ダイイチ"),
    ("明治", "メイジ"),
    ("大正", "タイショウ"),
    ("新和", "シンワ"),
    ("東邦", "トウホウ"),
    ("北斗", "ホクト"),
    ("桜", "サクラ"),
    ("若葉", "ワカバ"),
    ("青葉", "アオバ"),
    ("朝日", "アサヒ"),
    ("双葉", "フタバ"),
    ("千代田", "チヨダ"),
    ("明和", "メイワ"),
    ("大同", "ダイドウ"),
    ("泉", "イズミ"),
    ("誠和", "セイワ"),
    ("栄光", "エイコウ"),
    ("サクラ", "サクラ"),
    ("ミライ", "ミライ"),
    ("グローバル", "グローバル"),
    ("ネクスト", "ネクスト"),
    ("アルファ", "アルファ"),
    ("エース", "エース"),
    ("ユニオン", "ユニオン"),
    ("ライフ", "ライフ"),
    ("テクノ", "テクノ"),
    ("フロンティア", "フロンティア"),
    ("アーバン", "アーバン"),
)
# (word, reading, 業種, 事業概要)
COMPANY_BUSINESSES = (
    ("商事", "ショウジ", "卸売業", "各種商品の卸売・輸出入"),
    ("物産", "ブッサン", "卸売業", "食品・日用品の卸売"),
    ("商会", "ショウカイ", "卸売業", "機械部品・工具の販売"),
    ("工業", "コウギョウ", "製造業", "金属加工部品の製造"),
    ("製作所", "セイサクショ", "製造業", "精密機械の設計・製造"),
    ("精機", "セイキ", "製造業", "産業用機械の製造・保守"),
    ("電機", "デンキ", "電気機械器具製造業", "電気機器の製造・販売"),
    ("化学", "カガク", "化学工業", "工業用薬品・樹脂の製造"),
    ("建設", "ケンセツ", "建設業", "総合建設・土木工事"),
    ("工務店", "コウムテン", "建設業", "住宅の設計・施工・リフォーム"),
    ("設備", "セツビ", "設備工事業", "空調・給排水衛生設備工事"),
    ("運輸", "ウンユ", "運輸業", "一般貨物自動車運送"),
    ("物流", "ブツリュウ", "運輸業", "倉庫・物流センターの運営"),
    ("不動産", "フドウサン", "不動産業", "不動産の売買・賃貸・管理"),
    ("食品", "ショクヒン", "食料品製造業", "加工食品の製造・販売"),
    ("製菓", "セイカ", "食料品製造業", "和洋菓子の製造・販売"),
    ("印刷", "インサツ", "印刷業", "商業印刷・出版印刷"),
    ("システム", "システム", "情報通信業", "業務システムの開発・運用"),
    ("情報サービス", "ジョウホウサービス", "情報通信業", "ITコンサルティング・受託開発"),
    ("技研", "ギケン", "専門サービス業", "技術コンサルティング・試験研究"),
    ("薬品", "ヤクヒン", "医薬品卸売業", "医薬品・医療機器の販売"),
    ("電子", "デンシ", "電子部品製造業", "電子部品・基板の製造"),
    ("産業", "サンギョウ", "製造業", "産業資材の製造・販売"),
    ("興産", "コウサン", "卸売業", "建築資材の販売"),
    ("商店", "ショウテン", "小売業", "日用品・雑貨の小売"),
    ("観光", "カンコウ", "宿泊業", "ホテル・旅館の経営"),
    ("企画", "キカク", "サービス業", "イベント・販売促進の企画運営"),
    ("ホールディングス", "ホールディングス", "持株会社", "グループ会社の経営管理"),
    ("繊維", "センイ", "繊維工業", "繊維製品の製造・販売"),
    ("保険サービス", "ホケンサービス", "保険代理業", "損害保険・生命保険の代理店"),
)
# (legal form, before the name (前株) or after it (後株), weight)
LEGAL_FORMS = (
    ("株式会社", True, 48),
    ("株式会社", False, 37),
    ("有限会社", True, 8),
    ("合同会社", True, 5),
    ("合資会社", False, 2),
)

DEPARTMENTS = (
    ("営業部", "エイギョウブ"),
    ("総務部", "ソウムブ"),
    ("経理部", "ケイリブ"),
    ("人事部", "ジンジブ"),
    ("購買部", "コウバイブ"),
    ("製造部", "セイゾウブ"),
    ("開発部", "カイハツブ"),
    ("企画部", "キカクブ"),
    ("情報システム部", "ジョウホウシステムブ"),
    ("広報部", "コウホウブ"),
    ("マーケティング部", "マーケティングブ"),
    ("品質管理部", "ヒンシツカンリブ"),
    ("法務部", "ホウムブ"),
    ("海外事業部", "カイガイジギョウブ"),
    ("経営企画室", "ケイエイキカクシツ"),
)
SUB_DEPARTMENTS = (
    ("第一課", "ダイイチカ"),
    ("第二課", "ダイニカ"),
    ("第三課", "ダイサンカ"),
    ("東日本営業課", "ヒガシニホンエイギョウカ"),
    ("西日本営業課", "ニシニホンエイギョウカ"),
    ("企画課", "キカクカ"),
    ("管理課", "カンリカ"),
    ("庶務課", "ショムカ"),
)
# (役職, weight); None is a member of staff without a title.
TITLES = (
    ("代表取締役社長", 2),
    ("取締役", 3),
    ("本部長", 3),
    ("部長", 10),
    ("次長", 5),
    ("課長", 15),
    ("係長", 10),
    ("主任", 12),
    (None, 40),
)
# Office buildings are named like companies: 東洋ビル, 第一センタービル, サクラタワー.
BUILDING_NAMES = (
    "日本",
    "東京",
    "大阪",
    "名古屋",
    "横浜",
    "京都",
    "神戸",
    "札幌",
    "仙台",
    "広島",
    "福岡",
    "北海道",
    "東北",
    "関東",
    "中部",
    "関西",
    "九州",
    "東洋",
    "大和",
    "富士",
    "旭",
    "三和",
    "昭和",
    "平和",
    "日進",
    "共栄",
    "協和",
    "太陽",
    "光",
    "中央",
    "第一",
    "明治",
    "大正",
    "新和",
    "東邦",
    "北斗",
    "桜",
    "若葉",
    "青葉",
    "朝日",
    "双葉",
    "千代田",
    "明和",
    "大同",
    "泉",
    "誠和",
    "栄光",
    "サクラ",
)
BUILDINGS = (
    "ビル",
    "ビルディング",
    "センタービル",
    "第一ビル",
    "第二ビル",
    "タワー",
    "会館",
    "プラザ",
)
RESIDENCES = ("ハイツ", "コーポ", "マンション", "レジデンス", "メゾン", "荘", "パレス", "ヒルズ")
