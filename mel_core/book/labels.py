"""The book's own words in Vietnamese and English (content stays in the language it was written in)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "book_title": {
        "vi": "Bài học kinh nghiệm giảm nghèo năm {year}",
        "en": "Poverty-reduction lessons learned {year}",
    },
    "author": {"vi": "Cơ sở tri thức theo dõi, đánh giá và học hỏi (MEL)", "en": "MEL knowledge base"},
    "part_intro": {"vi": "Giới thiệu", "en": "Introduction"},
    "part_criteria": {"vi": "Kết quả theo tiêu chí đánh giá", "en": "Findings by evaluation criterion"},
    "part_evaluations": {"vi": "Các đợt đánh giá", "en": "Evaluations"},
    "part_lessons": {"vi": "Bài học kinh nghiệm", "en": "Lessons learned"},
    "part_reference": {"vi": "Tra cứu", "en": "Reference"},
    "overview": {"vi": "Tổng quan năm {year}", "en": "The year {year} at a glance"},
    "in_this_book": {"vi": "Trong sách này", "en": "In this book"},
    "count": {"vi": "Số lượng", "en": "Number"},
    "programmes_evaluated": {"vi": "Chương trình, dự án được đánh giá", "en": "Programmes evaluated"},
    "lessons_count": {"vi": "Bài học kinh nghiệm được chia sẻ", "en": "Lesson submissions"},
    "provinces": {"vi": "Tỉnh, thành phố", "en": "Provinces"},
    "ratings_by_criterion": {"vi": "Xếp hạng theo tiêu chí", "en": "Ratings by criterion"},
    "ratings_chart_alt": {
        "vi": "Biểu đồ số đợt đánh giá theo mức xếp hạng của từng tiêu chí",
        "en": "Chart of the number of evaluations at each rating level, by criterion",
    },
    "criterion": {"vi": "Tiêu chí", "en": "Criterion"},
    "not_rated": {"vi": "Chưa xếp hạng", "en": "Not rated"},
    "level": {"vi": "Mức {n}", "en": "Level {n}"},
    "programme": {"vi": "Chương trình", "en": "Programme"},
    "evaluation": {"vi": "Đợt đánh giá", "en": "Evaluation"},
    "rating": {"vi": "Xếp hạng", "en": "Rating"},
    "justification": {"vi": "Căn cứ xếp hạng", "en": "Justification"},
    "overridden": {
        "vi": "Người đánh giá điều chỉnh từ mức tính được ({computed}); lý do: {reason}",
        "en": "Adjusted by the evaluator from the computed level ({computed}); reason: {reason}",
    },
    "findings": {"vi": "Phát hiện", "en": "Findings"},
    "confidence": {"vi": "độ tin cậy", "en": "confidence"},
    "no_evaluations": {
        "vi": "Không có đợt đánh giá nào hoàn thành trong năm {year}.",
        "en": "No evaluation was completed in {year}.",
    },
    "no_lessons": {"vi": "Chưa có bài học nào.", "en": "No lessons yet."},
    "criterion_intro": {
        "vi": "Các phát hiện về {criterion} của các đợt đánh giá hoàn thành trong năm {year}.",
        "en": "What the evaluations completed in {year} found on {criterion}.",
    },
    "see_chapter": {"vi": "Xem chương đánh giá", "en": "See the evaluation's chapter"},
    "evaluation_intro": {
        "vi": "Đợt đánh giá {code}, hoàn thành ngày {date}. Dưới đây là các notebook đánh giá đã chạy"
        " (ẩn mã, hiển thị kết quả).",
        "en": "Evaluation {code}, completed on {date}. Below are its executed evaluation notebooks (code hidden,"
        " outputs shown).",
    },
    "lessons_by_kind": {"vi": "Bài học theo loại", "en": "Lessons by kind"},
    "kind_intro": {
        "vi": "Các bài học năm {year} thuộc loại: {kind}.",
        "en": "The {year} lessons of this kind: {kind}.",
    },
    "also_this_kind": {"vi": "Các bài học khác cũng thuộc loại này", "en": "Other lessons of this kind"},
    "lessons_by_province": {"vi": "Bài học theo tỉnh", "en": "Lessons by province"},
    "province_intro": {
        "vi": "Tỉnh, thành phố theo địa giới hiện nay (sau sắp xếp năm 2025); tên cũ được ghi kèm khi bài học dùng"
        " tên tỉnh trước đây.",
        "en": "Provinces as they are today (after the 2025 merger); a former name is given where a lesson used"
        " one.",
    },
    "formerly": {"vi": "trước đây: {name}", "en": "formerly {name}"},
    "lesson_finder": {"vi": "Tìm bài học", "en": "Lesson finder"},
    "finder_intro": {
        "vi": "Lọc các bài học của năm theo tỉnh, lĩnh vực, loại bài học và năm. Trang này hoạt động cả khi"
        " mở từ thư mục hoặc USB, không cần mạng.",
        "en": "Filter the year's lessons by province, sector, theme and year. This page works when opened from"
        " a folder or a USB stick, with no network.",
    },
    "all": {"vi": "Tất cả", "en": "All"},
    "sector": {"vi": "Lĩnh vực", "en": "Sector"},
    "theme": {"vi": "Loại bài học", "en": "Theme"},
    "year": {"vi": "Năm", "en": "Year"},
    "shown": {"vi": "{n} bài học", "en": "{n} lessons"},
    "recommendations": {
        "vi": "Khuyến nghị và tình trạng thực hiện",
        "en": "Recommendations and their status",
    },
    "recommendation": {"vi": "Khuyến nghị", "en": "Recommendation"},
    "status": {"vi": "Tình trạng", "en": "Status"},
    "due": {"vi": "Hạn", "en": "Due"},
    "no_recommendations": {"vi": "Không có khuyến nghị.", "en": "No recommendations."},
    "glossary": {"vi": "Thuật ngữ Việt – Anh", "en": "Vietnamese–English glossary"},
    "glossary_intro": {
        "vi": "Thuật ngữ dùng trong sách và trong tìm kiếm; thuật ngữ đầu tiên là thuật ngữ ưu tiên.",
        "en": "The terms used in the book and in search; the first term of each is the preferred one.",
    },
    "vietnamese": {"vi": "Tiếng Việt", "en": "Vietnamese"},
    "english": {"vi": "Tiếng Anh", "en": "English"},
    "variants": {"vi": "Cách gọi khác", "en": "Variants"},
    "submitted_by": {"vi": "Đơn vị chia sẻ", "en": "Submitted by"},
    "search_placeholder": {"vi": "Tìm trong sách… (gõ có dấu hoặc không dấu)", "en": "Search the book…"},
    "lesson_meta": {"vi": "Năm {year} · {places} · {sector}", "en": "{year} · {places} · {sector}"},
    "response_accepted": {"vi": "Chấp nhận", "en": "Accepted"},
    "response_partially_accepted": {"vi": "Chấp nhận một phần", "en": "Partially accepted"},
    "response_not_accepted": {"vi": "Không chấp nhận", "en": "Not accepted"},
    "rec_awaiting": {"vi": "chờ phản hồi của cơ quan quản lý", "en": "awaiting management response"},
    "rec_not_accepted": {"vi": "không chấp nhận", "en": "not accepted"},
    "rec_no_actions": {"vi": "chấp nhận, chưa có hành động", "en": "accepted, no key actions yet"},
    "rec_not_started": {"vi": "chưa bắt đầu", "en": "not started"},
    "rec_initiated": {"vi": "đang thực hiện", "en": "initiated"},
    "rec_completed": {"vi": "đã hoàn thành", "en": "completed"},
    "action_not_started": {"vi": "chưa bắt đầu", "en": "not started"},
    "action_initiated": {"vi": "đang thực hiện", "en": "initiated"},
    "action_completed": {"vi": "đã hoàn thành", "en": "completed"},
    "action_no_longer_applicable": {"vi": "không còn phù hợp", "en": "no longer applicable"},
    "overdue": {"vi": "quá hạn", "en": "overdue"},
    "key_actions": {
        "vi": "Hành động chính (đơn vị, hạn, trạng thái)",
        "en": "Key actions (unit, due, status)",
    },
    "status_as_of": {"vi": "Tình trạng ngày {day}", "en": "Status on {day}"},
    "management_response": {"vi": "Phản hồi", "en": "Response"},
    "attachments": {"vi": "Tài liệu đính kèm", "en": "Attachments"},
    "attachments_intro": {
        "vi": "Các tệp công khai (PDF, Word, Excel) đính kèm chương trình, đợt đánh giá và bài học trong sách. Mỗi"
        " tệp nằm ngay trong sách, tải về được cả khi không có mạng; nội dung chữ của tệp có trong tìm kiếm của"
        " sách (thông tin cá nhân đã được che).",
        "en": "The public files (PDF, Word, Excel) attached to the programmes, evaluations and lessons of this"
        " book. Each file is inside the book and downloads without a network; their text is in the book's"
        " search (personal details blanked out).",
    },
    "attachments_of_programme": {"vi": "Của chương trình", "en": "Of programmes"},
    "attachments_of_evaluation": {"vi": "Của đợt đánh giá", "en": "Of evaluations"},
    "attachments_of_lesson": {"vi": "Của bài học", "en": "Of lessons"},
    "belongs_to": {"vi": "Thuộc về", "en": "Belongs to"},
    "download": {"vi": "Tải về", "en": "Download"},
    "attachment_text": {"vi": "Nội dung của tệp", "en": "Text of the file"},
}


def label(key: str, lang: str, **values: object) -> str:
    """The label ``key`` in ``lang`` (``vi`` or ``en``), with ``{placeholders}`` filled in."""
    text = LABELS[key]["vi" if lang == "vi" else "en"]
    return text.format(**values) if values else text
