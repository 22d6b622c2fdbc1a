"""The words of the narrative reports 4.3 and 4.4: the manual's outline headings and the prefilled sentences.

The headings follow the manual's Tables 4.3 and 4.4 (seed 004, chapter IV) item by item and in its order. The
seed holds the English edition; the Vietnamese headings are the manual's items in the wording of a Vietnamese
administrative report ("V/v", "Kính gửi", "Nơi nhận"). Every text is written once in each language here.
Placeholders for the writer are the ``ph_*`` texts; the report puts them in square brackets.
"""

from __future__ import annotations

from typing import Literal

from mel_core.periods import Period

Lang = Literal["vi", "en"]

TEXTS: dict[str, tuple[str, str]] = {
    # heading of the letter
    "issuer": ("Tên cơ quan báo cáo", "Reporting body"),
    "number": ("Số: ……/BC-……", "No.: ……/BC-……"),
    "nation": (
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
        "SOCIALIST REPUBLIC OF VIETNAM\nIndependence - Freedom - Happiness",
    ),
    "report_title": ("BÁO CÁO", "REPORT"),
    "re": (
        "V/v: Tình hình thực hiện kế hoạch phát triển kinh tế - xã hội {period}",
        "Re: The implementation of the socio-economic development plan in {period}",
    ),
    "to": ("Kính gửi: {recipient}", "To: {recipient}"),
    "ppc": ("Ủy ban nhân dân tỉnh {province}", "The People's Committee of {province} province"),
    "recipient": ("Cơ quan nhận báo cáo", "Recipient"),
    "intro": (
        "Thực hiện Chỉ thị số …… ngày …… tháng …… năm …… của Ủy ban nhân dân tỉnh/huyện, {unit} báo cáo tình"
        " hình thực hiện kế hoạch phát triển kinh tế - xã hội {period} như sau:",
        "Implementing directive No. …… of …… of the Provincial/District People's Committee, {unit} reports on"
        " the implementation of the socio-economic development plan in {period} as follows:",
    ),
    "form_six-month": ("Biểu 4.3: Báo cáo 6 tháng", "Table 4.3: six-month report"),
    "form_annual": ("Biểu 4.4: Báo cáo năm", "Table 4.4: annual report"),
    # the outline (Tables 4.3 and 4.4)
    "h_implementation": (
        "1. Tình hình thực hiện kế hoạch phát triển kinh tế - xã hội {period}",
        "1. The implementation of the socio-economic development plan in {period}",
    ),
    "h_context_half": (
        "Bối cảnh thực hiện kế hoạch {period}",
        "Context of the implementation of the plan in {period}",
    ),
    "h_context": ("Bối cảnh thực hiện kế hoạch", "Context of the implementation of the plan"),
    "h_outline": (
        "Tóm tắt các hoạt động và đầu ra/kết quả dự kiến trong năm báo cáo",
        "Outline of the activities and outputs/expected results in the reported year",
    ),
    "h_actual_half": (
        "Tình hình thực tế thực hiện các hoạt động. Sự khác biệt giữa kết quả/đầu ra dự kiến và thực tế"
        " {period}, bao gồm thông tin về các chỉ tiêu đã thu thập",
        "The actual situation of the implementation of activities. The difference between expected and actual"
        " results/outputs in {period}, including information on the collected indicators",
    ),
    "h_actual": (
        "Tình hình thực tế thực hiện các hoạt động. Sự khác biệt giữa kết quả/đầu ra dự kiến và thực tế trong"
        " năm, bao gồm thông tin về các chỉ tiêu đã thu thập",
        "The actual situation of the implementation of activities. The difference between expected and actual"
        " results/outputs in the year, including information on the collected indicators",
    ),
    "h_explanation": (
        "Giải thích sự khác biệt giữa kết quả/đầu ra dự kiến và thực tế",
        "Explanation of the difference between the expected and actual results/outputs",
    ),
    "h_assessment_half": (
        "Đánh giá tiến độ thực hiện {period} (đối với các hoạt động đã thực hiện)",
        "Assessment of the progress in {period} (for the operations that have been performed)",
    ),
    "h_assessment": (
        "Đánh giá tiến độ thực hiện các mục tiêu trong năm, bao gồm thông tin về các chỉ tiêu đã thu thập",
        "Assessment of the progress of the objectives in the year, including information on the collected"
        " indicators",
    ),
    "h_solutions_rest": (
        "2. Giải pháp thực hiện kế hoạch phát triển kinh tế - xã hội những tháng còn lại của năm {year}",
        "2. Solutions to implement the socio-economic development plan in the remaining months of {year}",
    ),
    "h_forecast": (
        "Dự báo cơ bản, thuận lợi và khó khăn",
        "Fundamental predictions, advantages and disadvantages",
    ),
    "h_measures": (
        "Biện pháp hoàn thành các chỉ tiêu trong từng lĩnh vực",
        "Methods to fulfil the targets in each field",
    ),
    "h_next_plan": (
        "2. Kế hoạch phát triển kinh tế - xã hội năm {year}",
        "2. Socio-economic development plan for {year}",
    ),
    "h_predictions": (
        "Các dự báo chính của trung ương và địa phương",
        "Main predictions of the central and local governments",
    ),
    "h_objectives": (
        "Mục tiêu tổng quát, các chỉ tiêu và mục tiêu cụ thể trong từng lĩnh vực",
        "Overall objectives, targets, and specific objectives and targets in each field",
    ),
    "h_solutions": ("Giải pháp thực hiện", "Solutions for implementation"),
    "h_recommendations": (
        "3. Kiến nghị với trung ương/tỉnh",
        "3. Recommendations to the central/provincial governments",
    ),
    "h_differences": (
        "3.1. Các chỉ tiêu có sự khác biệt giữa định hướng của trung ương/tỉnh và đề xuất của sở/huyện",
        "3.1. The targets with differences between the orientation of the central/provincial governments and"
        " the proposals of the department/district",
    ),
    "h_support": ("3.2. Các nhu cầu hỗ trợ đề xuất", "3.2. The proposed needs for support"),
    # prefilled sentences
    "plan_summary": (
        "Kế hoạch năm {year} có {outputs} chỉ tiêu đầu ra và {outcomes} chỉ tiêu kết quả/tác động có chỉ tiêu kế"
        " hoạch, thuộc {programmes} chương trình, dự án (chi tiết tại bảng số liệu dưới đây và Biểu 4.2).",
        "The plan for {year} sets targets for {outputs} output and {outcomes} outcome/impact indicators of"
        " {programmes} programmes and projects (see the figures below and Table 4.2).",
    ),
    "activities_planned": (
        "{title}: {planned} hoạt động theo kế hoạch trong kỳ, kinh phí kế hoạch {cost} triệu đồng.",
        "{title}: activities planned in the period: {planned}, planned cost {cost} million VND.",
    ),
    "activities_done": (
        "{title}: đã thực hiện {done} hoạt động, hủy hoặc dừng {dropped}; kinh phí thực hiện {cost}"
        " triệu đồng.",
        "{title}: activities carried out: {done}, cancelled or stopped: {dropped}; cost {cost} million VND.",
    ),
    "status_summary": (
        "Trong {total} chỉ tiêu có kế hoạch, {period}: {achieved} chỉ tiêu đạt hoặc vượt kế hoạch, {on_track} chỉ"
        " tiêu đúng tiến độ, {off_track} chỉ tiêu chậm tiến độ, {not_reported} chỉ tiêu chưa có số liệu.",
        "Of the {total} indicators with a plan, in {period}: {achieved} met or exceeded the plan, {on_track} are"
        " on track, {off_track} are off track and {not_reported} have no figure yet.",
    ),
    "rated_adjusted": (
        "Tỷ lệ thực hiện so với kế hoạch điều chỉnh (nơi chỉ tiêu đã được điều chỉnh).",
        "Completion is rated against the adjusted plan (where a target was adjusted).",
    ),
    "rated_original": (
        "Tỷ lệ thực hiện so với kế hoạch ban đầu.",
        "Completion is rated against the original plan.",
    ),
    "figures_caption": (
        "Số liệu các chỉ tiêu kỳ {period} (như Biểu 4.2):",
        "The indicators' figures for {period} (as in Table 4.2):",
    ),
    "col_no": ("STT", "No."),
    "col_indicator": ("Chỉ tiêu", "Indicator"),
    "col_level": ("Cấp", "Level"),
    "col_unit": ("Đơn vị tính", "Unit"),
    "col_plan": ("Kế hoạch", "Plan"),
    "col_actual": ("Thực hiện", "Actual"),
    "col_rate": ("Tỷ lệ thực hiện (%)", "Completion (%)"),
    "col_note": ("Ghi chú", "Notes"),
    "col_content": ("Nội dung", "Content"),
    "col_oriented": ("Chỉ tiêu định hướng", "Oriented targets"),
    "col_proposed": ("Chỉ tiêu đề xuất trong kế hoạch", "Proposed targets in the plan"),
    "output": ("Đầu ra", "Output"),
    "outcome": ("Kết quả/Tác động", "Outcome/impact"),
    "missing": ("chưa có số liệu", "not reported"),
    "no_indicators": ("không có chỉ tiêu đầu ra, kết quả", "no output or outcome indicators"),
    "achieved_intro": ("Các chỉ tiêu đạt hoặc vượt kế hoạch:", "Indicators that met or exceeded the plan:"),
    "indicator_line": (
        "{name} ({code}): kế hoạch {plan} {unit}, thực hiện {actual} {unit}, đạt {rate} %.",
        "{name} ({code}): plan {plan} {unit}, actual {actual} {unit}, {rate} % of the plan.",
    ),
    "off_track_intro": (
        "Các chỉ tiêu chậm tiến độ (chưa đạt kế hoạch của kỳ, hoặc dưới {share} % kế hoạch năm ở thời điểm báo"
        " cáo):",
        "Indicators off track (below the period's plan, or below {share} % of the year's plan at the time of the"
        " report):",
    ),
    "none_off_track": (
        "Không có chỉ tiêu nào chậm tiến độ (dưới {share} % kế hoạch của kỳ).",
        "No indicator is off track (below {share} % of the period's plan).",
    ),
    "not_reported_intro": (
        "Các chỉ tiêu chưa có số liệu (cần bổ sung, không phải bằng 0):",
        "Indicators without a figure (to be reported; not zero):",
    ),
    "remaining": (
        "{name} ({code}): còn {remaining} {unit} để đạt kế hoạch năm.",
        "{name} ({code}): {remaining} {unit} still to reach the year's plan.",
    ),
    "nothing_there": (
        "chưa có mục tiêu, chỉ tiêu nào trong kho dữ liệu",
        "no objective or indicator in the store yet",
    ),
    "findings_as_written": (
        "Các phát hiện dưới đây được chép nguyên văn bằng {language}, ngôn ngữ của đợt đánh giá (kho dữ liệu chỉ"
        " lưu phát hiện bằng ngôn ngữ đó).",
        "The findings below are copied as written, in {language}, the language the evaluation ran in (the store"
        " keeps its findings in that language only).",
    ),
    "findings_language_unknown": (
        "Các phát hiện dưới đây được chép nguyên văn, bằng ngôn ngữ của đợt đánh giá.",
        "The findings below are copied as written, in the language the evaluation ran in.",
    ),
    "language_vi": ("tiếng Việt", "Vietnamese"),
    "language_en": ("tiếng Anh", "English"),
    "no_evaluation": (
        "Chưa có đánh giá nào hoàn thành cho các chương trình, dự án trong phạm vi báo cáo.",
        "No evaluation of the programmes and projects in this report has been completed yet.",
    ),
    "evaluation_intro": (
        "Đánh giá {evaluation} của {title}, hoàn thành ngày {finished}: xếp hạng và phát hiện chính",
        "Evaluation {evaluation} of {title}, completed on {finished}: ratings and main findings",
    ),
    "criterion_relevance": ("Tính phù hợp", "Relevance"),
    "criterion_coherence": ("Tính nhất quán", "Coherence"),
    "criterion_effectiveness": ("Tính hiệu quả", "Effectiveness"),
    "criterion_efficiency": ("Hiệu suất", "Efficiency"),
    "criterion_impact": ("Tác động", "Impact"),
    "criterion_sustainability": ("Tính bền vững", "Sustainability"),
    "criterion_overall": ("Tổng thể", "Overall"),
    "criterion_synthesis": ("Tổng hợp", "Synthesis"),
    "next_plan_intro": (
        "Các chỉ tiêu kế hoạch năm {year} đã có trong hệ thống:",
        "The targets for {year} already in the system:",
    ),
    "no_next_plan": (
        "Chưa có chỉ tiêu kế hoạch năm {year} trong hệ thống.",
        "No targets for {year} are in the system yet.",
    ),
    "reason_differences": ("Lý do khác biệt:", "Reason for the differences:"),
    "conditions": (
        "Điều kiện để thực hiện chỉ tiêu định hướng:",
        "Conditions to fulfil the oriented targets:",
    ),
    "support_intro": (
        "Kiến nghị về cơ chế, chính sách hoặc hỗ trợ về nguồn lực (nếu có), theo thứ tự ưu tiên.",
        "Recommendations on mechanisms and policies, or support in resources (if any), in order of priority.",
    ),
    "recipients": ("Nơi nhận:", "Recipients:"),
    "recipient_list": (
        "- Như trên;\n- Văn phòng UBND tỉnh;\n- Lưu: VT.",
        "- As above;\n- Office of the Provincial People's Committee;\n- Archive.",
    ),
    # the manual's DPI: since the 2025 merger the Department of Finance keeps the plan (the issuer of a
    # province's reports, mel_core.reports.scope), which does not send itself a copy
    "recipient_planning": ("- Sở Tài chính;", "- Department of Finance;"),
    "signer": ("GIÁM ĐỐC SỞ/CHỦ TỊCH UBND HUYỆN", "DIRECTOR OF DEPARTMENT/CHAIRMAN OF THE DISTRICT PC"),
    "signature": ("Ký, ghi rõ họ tên và đóng dấu", "Signature, full name and seal"),
    # placeholders for the writer
    "ph_context": (
        "Bối cảnh của đơn vị: tình hình kinh tế - xã hội, thời tiết, giá cả, chính sách mới ảnh hưởng đến việc"
        " thực hiện kế hoạch",
        "The unit's context: the economic and social situation, weather, prices, new policies that affected the"
        " plan",
    ),
    "ph_outline": (
        "Các hoạt động chính và đầu ra/kết quả dự kiến của đơn vị",
        "The unit's main activities and expected outputs/results",
    ),
    "ph_difference": (
        "Nhận xét của đơn vị về tình hình thực hiện và sự khác biệt so với kế hoạch",
        "The unit's comments on the implementation and the differences from the plan",
    ),
    "ph_reason": ("Nguyên nhân chênh lệch của chỉ tiêu {code}", "Reason for the gap of indicator {code}"),
    "ph_assessment": ("Đánh giá của đơn vị", "The unit's assessment"),
    "ph_forecast": (
        "Dự báo, thuận lợi và khó khăn của những tháng còn lại",
        "Forecast, advantages and disadvantages for the remaining months",
    ),
    "ph_measures": (
        "Biện pháp của đơn vị để hoàn thành các chỉ tiêu trong từng lĩnh vực",
        "The unit's measures to fulfil the targets in each field",
    ),
    "ph_predictions": (
        "Các dự báo chính của trung ương và địa phương cho năm kế hoạch",
        "The main predictions of the central and local governments for the plan year",
    ),
    "ph_objectives": (
        "Mục tiêu tổng quát và mục tiêu cụ thể của năm kế hoạch",
        "The overall and specific objectives of the plan year",
    ),
    "ph_solutions": ("Giải pháp thực hiện kế hoạch của đơn vị", "The unit's solutions to implement the plan"),
    "ph_content": ("Chỉ tiêu", "Target"),
    "ph_reason_differences": ("Lý do khác biệt của đơn vị", "The unit's reasons"),
    "ph_conditions": ("Điều kiện cần có", "The conditions needed"),
    "ph_support": (
        "Các kiến nghị của đơn vị, theo thứ tự ưu tiên",
        "The unit's recommendations, in order of priority",
    ),
}


def t(key: str, lang: Lang, **values: object) -> str:
    """The text ``key`` in ``lang``, with ``values`` filled in."""
    vi, en = TEXTS[key]
    return (vi if lang == "vi" else en).format(**values)


def period_words(kind: str, period: Period, lang: Lang) -> str:
    """How the report names its period: "6 tháng đầu năm 2013", "năm 2013" / "the first 6 months of 2013", "2013"."""
    year = period.start.year
    if kind == "six-month":
        first = period.start.month == 1
        if lang == "vi":
            return f"6 tháng {'đầu' if first else 'cuối'} năm {year}"
        return f"the {'first' if first else 'last'} 6 months of {year}"
    return f"năm {year}" if lang == "vi" else str(year)


def heading_texts(kind: str, period: Period, lang: Lang) -> list[str]:
    """The outline's headings in order: Table 4.3 (six-month) or Table 4.4 (annual).

    Six-month: section 1 and its five items, section 2 and its two. Annual: section 1 and its five items,
    section 2 and its three, section 3 and its two.
    """
    words, year = period_words(kind, period, lang), period.start.year
    if kind == "six-month":
        keys = ["h_implementation", "h_context_half", "h_outline", "h_actual_half", "h_explanation",
                "h_assessment_half", "h_solutions_rest", "h_forecast", "h_measures"]  # fmt: skip
    else:
        keys = ["h_implementation", "h_context", "h_outline", "h_actual", "h_explanation", "h_assessment",
                "h_next_plan", "h_predictions", "h_objectives", "h_solutions", "h_recommendations",
                "h_differences", "h_support"]  # fmt: skip
        year += 1
    return [t(k, lang, period=words, year=year) for k in keys]
