"""Printed mailings: Japanese recipients (ordinary and awkward ones), mailings on a printed
channel with their recipients written set-based, templates."""

from __future__ import annotations

import datetime
import io
import random

import factory
from django.utils import timezone
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from api.people.models import Person
from mailing.models import Mailing, MailingRecipient
from mailing.printing.models import DocumentTemplate
from mailing.renderers.addressing import Addressee

FAMILY = [
    "山田",
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "渡辺",
    "伊藤",
    "中村",
    "小林",
    "加藤",
    "髙橋",
    "齋藤",
]
GIVEN = ["太郎", "花子", "一郎", "美咲", "健太", "陽菜", "翔太", "さくら", "大輔", "由美"]
KANA = ["ヤマダ タロウ", "サトウ ハナコ", "スズキ イチロウ", "タカハシ ミサキ", "タナカ ケンタ"]
COMPANIES = ["株式会社テスト商事", "有限会社山田製作所", "名簿システム株式会社", "", ""]
DEPARTMENTS = ["営業部", "総務部 庶務課", "", "経営企画本部"]
TITLES = ["部長", "課長", "", "代表取締役社長"]
CITIES = [
    ("東京都", "千代田区千代田1-1-1", "皇居前ビル5F"),
    ("大阪府", "大阪市北区梅田3-1-3", ""),
    ("北海道", "札幌市中央区北一条西2丁目", "札幌時計台ビル 1203号室"),
    ("神奈川県", "横浜市西区みなとみらい2-2-1", "ランドマークタワー 24階"),
    ("福岡県", "福岡市博多区博多駅中央街1-1", ""),
]
# Longer than any label cell: they must shrink, then wrap, never overflow.
LONG = {
    "full_name": "寿限無寿限無五劫の擦り切れ海砂利水魚の水行末雲来末風来末",
    "company_name": "株式会社ながいながい名前のとても長い会社名ホールディングスジャパン",
    "department_name": "グローバル事業統括本部 アジア太平洋地域戦略推進室 第二グループ",
    "address1": "大阪市北区梅田三丁目1番3号ノースゲートビルディングオフィスタワー",
    "address2": "19階 株式会社ながいながい名前のとても長い会社名 受付気付",
}


def recipient_rows(count: int, *, seed: int = 5, long_every: int = 37) -> list[dict]:
    """``count`` recipient snapshots (MailingRecipient columns), every ``long_every``-th
    one with names and addresses longer than a label."""
    rnd = random.Random(seed)
    rows = []
    for index in range(count):
        prefecture, address1, address2 = rnd.choice(CITIES)
        row = {
            "full_name": f"{rnd.choice(FAMILY)} {rnd.choice(GIVEN)}",
            "full_name_kana": rnd.choice(KANA),
            "company_name": rnd.choice(COMPANIES),
            "department_name": rnd.choice(DEPARTMENTS),
            "title": rnd.choice(TITLES),
            "postal_code": f"{rnd.randint(100, 999)}-{rnd.randint(0, 9999):04d}",
            "prefecture": prefecture,
            "address1": address1,
            "address2": address2,
            "fax": f"03-{rnd.randint(1000, 9999)}-{rnd.randint(1000, 9999)}",
        }
        if long_every and index % long_every == long_every - 1:
            row.update(LONG)
        rows.append(row)
    return rows


def addressees(count: int, **kwargs) -> list[Addressee]:
    return [
        Addressee.from_row({"id": index + 1, **row})
        for index, row in enumerate(recipient_rows(count, **kwargs))
    ]


class PrintMailingFactory(factory.django.DjangoModelFactory):
    """A prepared mailing on a printed channel (recipients: ``recipients_add``)."""

    class Meta:
        model = Mailing

    name = "2026年 年賀状"
    channel = Mailing.Channel.POSTCARD
    medium = Mailing.Medium.POST
    state = Mailing.State.READY
    dedupe_until = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(minutes=10))


def recipients_add(mailing: Mailing, rows: list[dict]) -> list[MailingRecipient]:
    """A person and a queued recipient per row, written with two bulk inserts."""
    people = Person.objects.bulk_create(
        [
            Person(
                family_name=row["full_name"].split(" ")[0] or "宛先",
                given_name=[*row["full_name"].split(" "), ""][1] or None,
                postal_code=row.get("postal_code") or None,
                prefecture=row.get("prefecture") or None,
                address1=row.get("address1") or None,
            )
            for row in rows
        ]
    )
    return MailingRecipient.objects.bulk_create(
        [
            MailingRecipient(
                mailing=mailing,
                person=person,
                state=MailingRecipient.State.QUEUED,
                **{key: value or "" for key, value in row.items()},
            )
            for person, row in zip(people, rows, strict=True)
        ]
    )


def docx_template_bytes(
    *, split_runs: bool = True, mergefield: bool = True, extra: str = ""
) -> bytes:
    """A Word letter with merge fields as people type them: ``{{会社名}}`` split over runs
    by Word, and a MERGEFIELD from Word's mail merge."""
    document = Document()
    document.add_paragraph("{{日付}}")
    paragraph = document.add_paragraph()
    if split_runs:
        for piece in ("{{", "会社", "名}}"):
            paragraph.add_run(piece)
    else:
        paragraph.add_run("{{company}}")
    document.add_paragraph("{{department}} {{title}}")
    name = document.add_paragraph()
    if mergefield:
        simple = OxmlElement("w:fldSimple")
        simple.set(qn("w:instr"), " MERGEFIELD 宛名 ")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "«宛名»"
        run.append(text)
        simple.append(run)
        name._p.append(simple)
    else:
        name.add_run("{{addressee}}")
    document.add_paragraph("拝啓 時下ますますご清栄のこととお慶び申し上げます。" + extra)
    document.add_paragraph("{{差出人}}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class DocumentTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DocumentTemplate

    name = factory.Sequence(lambda n: f"送り状{n}")
    kind = DocumentTemplate.Kind.LETTER
    engine = DocumentTemplate.Engine.PDF
    layout = factory.LazyFunction(dict)
    sender = factory.LazyFunction(lambda: {"company": "株式会社名簿商事", "phone": "03-5555-0001"})
