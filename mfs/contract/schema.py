"""The raw data contract: what every raw table must look like, declared once.

The generator writes to it, `mfs validate` checks against it, the dbt sources are tested
against it and `docs/data-contract.md` describes it. Types are Arrow types because parquet is
the default exchange format; CSV files are read as text and parsed to these types.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

TIMESTAMP = pa.timestamp("us", tz="UTC")
CURRENCIES = ("USD", "EUR", "GBP", "CAD", "AUD")
COUNTRIES = ("US", "GB", "DE", "FR", "CA", "AU", "NL", "ES")
EMAIL_PATTERN = r"^\s*[^@\s]+@[^@\s]+\.[A-Za-z]{2,}\s*$"


@dataclass(frozen=True)
class Column:
    """One column of a raw table and the rules its values obey."""

    name: str
    type: pa.DataType
    description: str
    nullable: bool = False
    unique: bool = False
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: float | None = None
    references: str | None = None  # "table.column"
    not_future: bool = False
    pii: bool = False
    # Duplicates after trim+lower-case (e.g. the same person with differently cased emails).
    unique_normalized: bool = False
    # The value of every row when the file has no such column (real exports often lack it);
    # a column that is present must still hold valid values.
    default: str | None = None

    @property
    def may_be_absent(self) -> bool:
        """A file may leave the column out: it is nullable, or it has a default."""
        return self.nullable or self.default is not None


@dataclass(frozen=True)
class Table:
    """One raw table: its file stem, the real system it mimics and its columns."""

    name: str
    system: str
    mimics: str
    grain: str
    columns: tuple[Column, ...]
    required: bool = False
    freshness_column: str | None = None
    notes: str = ""
    # Columns that together identify a row when no single column does.
    composite_key: tuple[str, ...] = ()

    @property
    def key(self) -> Column | None:
        return next((c for c in self.columns if c.unique), None)

    @property
    def arrow_schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.type, nullable=c.nullable) for c in self.columns],
        )

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _id(name: str, description: str, **kw: object) -> Column:
    return Column(name, pa.string(), description, **kw)  # type: ignore[arg-type]


def _ts(name: str, description: str, **kw: object) -> Column:
    return Column(name, TIMESTAMP, description, not_future=True, **kw)  # type: ignore[arg-type]


CRM_ACCOUNTS = Table(
    name="crm_accounts",
    system="crm",
    mimics="Salesforce Account / HubSpot Company export",
    grain="One row per B2B company account.",
    columns=(
        _id("account_id", "CRM account id (Salesforce AccountId, HubSpot company id).",
            unique=True),
        Column("account_name", pa.string(), "Company name."),
        Column(
            "industry",
            pa.string(),
            "Industry picklist value.",
            allowed=(
                "software", "retail", "manufacturing", "financial_services",
                "healthcare", "education", "media", "professional_services",
            ),
        ),
        Column("employee_count", pa.int64(), "Number of employees.", minimum=1),
        Column("country", pa.string(), "ISO 3166-1 alpha-2 country code.", allowed=COUNTRIES),
        _ts("created_at", "When the account was created in the CRM (UTC)."),
    ),
    notes="Absent for pure B2C companies.",
)

LIFECYCLE_STAGES = (
    "subscriber", "lead", "marketing_qualified_lead", "sales_qualified_lead",
    "opportunity", "customer", "evangelist", "other",
)

CRM_CONTACTS = Table(
    name="crm_contacts",
    system="crm",
    mimics="Salesforce Contact / HubSpot Contact export",
    grain="One row per person known to the CRM (the `customer` entity).",
    required=True,
    freshness_column="updated_at",
    columns=(
        _id("contact_id", "CRM contact id; the customer key everywhere downstream.", unique=True),
        _id(
            "account_id", "Account the contact works for; null for consumers.",
            nullable=True, references="crm_accounts.account_id",
        ),
        Column(
            "email", pa.string(), "Email as typed by the person (any case, maybe spaces).",
            nullable=True, pattern=EMAIL_PATTERN, pii=True, unique_normalized=True,
        ),
        Column(
            "phone", pa.string(), "Phone as typed: national or international format.",
            nullable=True, pii=True,
        ),
        Column("first_name", pa.string(), "Given name.", nullable=True, pii=True),
        Column("last_name", pa.string(), "Family name.", nullable=True, pii=True),
        Column("job_title", pa.string(), "Job title, free text (B2B contacts).", nullable=True),
        Column("city", pa.string(), "City.", nullable=True, pii=True),
        Column("region", pa.string(), "State / region / county.", nullable=True),
        Column("postal_code", pa.string(), "Postal code as typed.", nullable=True, pii=True),
        Column("country", pa.string(), "ISO 3166-1 alpha-2 country code; null when unknown "
               "(features read it as `unknown`).", allowed=COUNTRIES, nullable=True),
        Column(
            "lifecycle_stage", pa.string(), "Current HubSpot-style lifecycle stage; when null, "
            "customer_profile derives `customer` (has ordered) or `lead`.",
            allowed=LIFECYCLE_STAGES, nullable=True,
        ),
        _ts("created_at", "When the contact was created (UTC)."),
        _ts("updated_at", "Last modification of the record (UTC)."),
    ),
)

CRM_CONSENT_EVENTS = Table(
    name="crm_consent_events",
    system="crm",
    mimics="HubSpot subscription / GDPR consent log, OneTrust consent receipts",
    grain="One row per consent change of a contact.",
    notes="Optional: without it nobody has explicit consent, and an audience exports only "
    "under a legal basis that needs none (docs/audiences.md, 'Legal basis').",
    freshness_column="occurred_at",
    columns=(
        _id("consent_event_id", "Id of the consent change.", unique=True),
        _id("contact_id", "Contact whose consent changed.", references="crm_contacts.contact_id"),
        Column(
            "status", pa.string(), "New consent state for marketing.",
            allowed=("granted", "withdrawn"),
        ),
        Column(
            "source", pa.string(), "Where the change was captured.",
            allowed=("web_form", "checkout", "preference_center", "unsubscribe_link", "crm_import"),
        ),
        _ts("occurred_at", "When the change happened (UTC)."),
    ),
)

CRM_LEADS = Table(
    name="crm_leads",
    system="crm",
    mimics="Salesforce Lead / HubSpot deal-less contact export",
    grain="One row per lead.",
    freshness_column="created_at",
    columns=(
        _id("lead_id", "CRM lead id.", unique=True),
        _id(
            "contact_id", "Existing contact the lead belongs to, when matched.",
            nullable=True, references="crm_contacts.contact_id",
        ),
        Column("email", pa.string(), "Email on the lead form.", pattern=EMAIL_PATTERN, pii=True),
        Column(
            "lead_source", pa.string(), "How the lead arrived.",
            allowed=(
                "web_form", "content_download", "webinar", "trade_show",
                "partner_referral", "paid_social", "sales_outbound",
            ),
        ),
        Column("company_name", pa.string(), "Company on the form.", nullable=True),
        Column("job_title", pa.string(), "Job title on the form, free text.", nullable=True),
        Column(
            "industry", pa.string(), "Industry picklist value.", nullable=True,
            allowed=CRM_ACCOUNTS.column("industry").allowed,
        ),
        Column("employee_count", pa.int64(), "Company size on the form.", nullable=True, minimum=1),
        Column("country", pa.string(), "ISO 3166-1 alpha-2.", nullable=True, allowed=COUNTRIES),
        Column(
            "status", pa.string(), "Current lead status.",
            allowed=("open", "working", "nurturing", "converted", "unqualified"),
        ),
        _ts("created_at", "When the lead was created (UTC)."),
        _ts("converted_at", "When the lead was converted (UTC).", nullable=True),
        _id("opportunity_id", "Opportunity created at conversion.", nullable=True),
    ),
    notes="Absent for companies without a sales team.",
)

CRM_OPPORTUNITIES = Table(
    name="crm_opportunities",
    system="crm",
    mimics="Salesforce Opportunity / HubSpot Deal export",
    grain="One row per opportunity (current state).",
    columns=(
        _id("opportunity_id", "CRM opportunity id.", unique=True),
        _id(
            "account_id", "Account of the opportunity.",
            nullable=True, references="crm_accounts.account_id",
        ),
        _id("lead_id", "Lead converted into this opportunity.", nullable=True,
            references="crm_leads.lead_id"),
        Column(
            "stage", pa.string(), "Current stage.",
            allowed=(
                "prospecting", "qualification", "proposal", "negotiation",
                "closed_won", "closed_lost",
            ),
        ),
        Column("amount", pa.float64(), "Deal amount in `currency`.", minimum=0),
        Column("currency", pa.string(), "ISO 4217 currency code.", allowed=CURRENCIES),
        _ts("created_at", "When the opportunity was created (UTC)."),
        _ts("closed_at", "When it was closed, won or lost (UTC).", nullable=True),
        Column("is_won", pa.bool_(), "True when closed won."),
    ),
    notes="Absent for companies without a sales team.",
)

CRM_ORDERS = Table(
    name="crm_orders",
    system="crm",
    mimics="Shopify / ERP order export (Salesforce Commerce, HubSpot e-commerce orders)",
    grain="One row per order.",
    required=True,
    freshness_column="ordered_at",
    columns=(
        _id("order_id", "Order number.", unique=True),
        _id("contact_id", "Buyer.", references="crm_contacts.contact_id"),
        _ts("ordered_at", "When the order was placed (UTC)."),
        Column("amount", pa.float64(), "Order total in `currency`, tax included.", minimum=0),
        Column("currency", pa.string(), "ISO 4217 currency code.", allowed=CURRENCIES),
        Column("item_count", pa.int64(), "Number of items.", minimum=1, default="1"),
        Column(
            "status", pa.string(), "Current order status (an export of placed orders without "
            "one: all completed).", allowed=("completed", "refunded", "cancelled"),
            default="completed",
        ),
        _ts("refunded_at", "When the order was refunded or cancelled (UTC).", nullable=True),
        Column(
            "channel", pa.string(), "Sales channel; null when unknown.",
            allowed=("web", "mobile_app", "store", "phone"), nullable=True,
        ),
    ),
)

WEB_EVENT_NAMES = (
    "page_view", "product_view", "add_to_cart", "begin_checkout", "purchase",
    "form_submit", "pricing_view",
)

WEB_EVENTS = Table(
    name="web_events",
    system="web",
    mimics="GA4 BigQuery export / Segment `track` and `page` calls",
    grain="One row per tracked event.",
    freshness_column="occurred_at",
    columns=(
        _id("event_id", "Unique event id (Segment messageId).", unique=True),
        _id("anonymous_id", "Browser/device cookie id (GA4 user_pseudo_id)."),
        _id("user_id", "Logged-in user id = CRM contact id, when known.", nullable=True),
        Column("event_name", pa.string(), "Event type.", allowed=WEB_EVENT_NAMES),
        Column("page_path", pa.string(), "URL path of the page."),
        Column("utm_source", pa.string(), "utm_source of the landing URL.", nullable=True),
        Column("utm_medium", pa.string(), "utm_medium (cpc, paid_social, email...).",
               nullable=True),
        Column("utm_campaign", pa.string(), "utm_campaign: ad campaign id or email campaign name.",
               nullable=True),
        Column("click_id", pa.string(), "gclid / fbclid / li_fat_id of an ad click.",
               nullable=True),
        Column("device", pa.string(), "Device category.", allowed=("desktop", "mobile", "tablet")),
        Column("country", pa.string(), "Geo country (ISO-2).", nullable=True, allowed=COUNTRIES),
        _ts("occurred_at", "Event time (UTC)."),
    ),
    notes="Absent when no web analytics export is available.",
)

WEB_IDENTIFIES = Table(
    name="web_identifies",
    system="web",
    mimics="Segment `identify` calls / GA4 user_id assignment on login or form submit",
    grain="One row per identify call.",
    freshness_column="occurred_at",
    columns=(
        _id("identify_id", "Unique id of the identify call.", unique=True),
        _id("anonymous_id", "Device cookie id being identified."),
        _id("user_id", "CRM contact id, when the visitor logged in.", nullable=True),
        Column("email", pa.string(), "Email typed in a form, when any.", nullable=True,
               pattern=EMAIL_PATTERN, pii=True),
        _ts("occurred_at", "When the identification happened (UTC)."),
    ),
)

AD_PLATFORMS = ("google_ads", "meta", "linkedin")

AD_CAMPAIGNS = Table(
    name="ad_campaigns",
    system="ads",
    mimics="Google Ads / Meta Ads Manager / LinkedIn Campaign Manager campaign lists",
    grain="One row per ad campaign.",
    columns=(
        _id("campaign_id", "Platform campaign id.", unique=True),
        Column("platform", pa.string(), "Ad platform.", allowed=AD_PLATFORMS),
        Column("campaign_name", pa.string(), "Campaign name."),
        Column(
            "objective", pa.string(), "Campaign objective.",
            allowed=("search", "shopping", "performance_max", "conversions", "traffic",
                     "lead_generation", "awareness"),
        ),
        Column("started_on", pa.date32(), "First day the campaign ran."),
        Column("ended_on", pa.date32(), "Last day, null while running.", nullable=True),
    ),
    notes="Absent when no ads are run.",
)

AD_DAILY_PERFORMANCE = Table(
    name="ad_daily_performance",
    system="ads",
    mimics="Google Ads campaign report / Meta Insights / LinkedIn analytics, by day",
    grain="One row per campaign per day.",
    composite_key=("report_date", "campaign_id"),
    columns=(
        Column("report_date", pa.date32(), "Day of the report (account time zone = UTC)."),
        Column("platform", pa.string(), "Ad platform.", allowed=AD_PLATFORMS),
        _id("campaign_id", "Campaign.", references="ad_campaigns.campaign_id"),
        Column("impressions", pa.int64(), "Impressions.", minimum=0),
        Column("clicks", pa.int64(), "Clicks.", minimum=0),
        Column("spend", pa.float64(), "Cost in `currency`.", minimum=0),
        Column("currency", pa.string(), "ISO 4217 currency of the ad account.", allowed=CURRENCIES),
        Column("conversions", pa.float64(), "Platform-reported conversions.", minimum=0),
    ),
)

AD_CLICKS = Table(
    name="ad_clicks",
    system="ads",
    mimics="Google Ads click_view (gclid), Meta fbclid and LinkedIn li_fat_id click logs",
    grain="One row per ad click with a click id.",
    freshness_column="clicked_at",
    columns=(
        _id("click_id", "gclid / fbclid / li_fat_id.", unique=True),
        Column("platform", pa.string(), "Ad platform.", allowed=AD_PLATFORMS),
        _id("campaign_id", "Campaign clicked.", references="ad_campaigns.campaign_id"),
        _ts("clicked_at", "Click time (UTC)."),
    ),
)

TABLES: tuple[Table, ...] = (
    CRM_ACCOUNTS,
    CRM_CONTACTS,
    CRM_CONSENT_EVENTS,
    CRM_LEADS,
    CRM_OPPORTUNITIES,
    CRM_ORDERS,
    WEB_EVENTS,
    WEB_IDENTIFIES,
    AD_CAMPAIGNS,
    AD_DAILY_PERFORMANCE,
    AD_CLICKS,
)
TABLES_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    """Look a table up by name, with an error that lists the valid names."""
    try:
        return TABLES_BY_NAME[name]
    except KeyError:
        raise KeyError(
            f"unknown raw table {name!r}; expected one of {sorted(TABLES_BY_NAME)}"
        ) from None


def empty_table(name: str) -> pa.Table:
    """An empty, correctly typed table: stands in for a missing optional source."""
    return table(name).arrow_schema.empty_table()
