"""The trade-promotion information system of seed 000 (Hệ thống thông tin hoạt động XTTM).

Provincial trade-promotion centres and associations plan activities of ten types and report each one (chosen
from the plan, linked to the outcome and indicators it serves, with its participants); enterprises of the
register report their business results per period and what they gained from the activities they joined; the
programme reads its indicators at province and programme level, computed from those records.

- :mod:`~mel_core.trade.tax_code`: the enterprise's key, checked by its check digit;
- :mod:`~mel_core.trade.records`: the activity and enterprise records of the store as plain rows;
- :mod:`~mel_core.trade.indicators`: the indicators of the framework counted from the records;
- :mod:`~mel_core.trade.disclosure`: enterprise figures leave the store only as aggregates over enough enterprises;
- :mod:`~mel_core.trade.reports`: quarterly and annual reports of a centre or association, programme reports by
  province, region and product sector, and the provincial indicator sheet.
"""
