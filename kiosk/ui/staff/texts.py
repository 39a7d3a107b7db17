"""Every sentence of the staff screens, in Vietnamese and English.

Staff screens follow the kiosk's language at the moment they open (Vietnamese by default).
"""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "login_title": ("Đăng nhập nhân viên", "Staff login"),
    "pin_prompt": ("Nhập mã PIN kỹ thuật viên", "Enter the technician PIN"),
    "account": ("Tài khoản nhân viên", "Staff account"),
    "use_pin": ("Dùng mã PIN", "Use the PIN"),
    "cancel": ("Hủy", "Cancel"),
    "back": ("Quay lại", "Back"),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "log_in": ("Đăng nhập", "Log in"),
    "wrong": ("Sai thông tin đăng nhập", "Wrong login"),
    "no_rights": ("Tài khoản này không có quyền trên ki-ốt", "This account has no kiosk rights"),
    "locked": ("Tạm khóa đăng nhập, thử lại sau {s} giây",
               "Login locked, try again in {s} s"),
    "pin_not_set": ("Chưa đặt mã PIN: hãy đặt mã PIN mới", "No PIN set yet: set a new PIN"),
    "unavailable": ("Chế độ nhân viên chưa sẵn sàng trên ki-ốt này",
                    "Staff mode is not available on this kiosk"),
    "new_pin_title": ("Đặt mã PIN kỹ thuật viên mới", "Set a new technician PIN"),
    "new_pin_why": ("Mã PIN mặc định 2580 không mở được chế độ nhân viên. Nhập 6 đến 12 chữ số.",
                    "The default PIN 2580 does not open staff mode. Enter 6 to 12 digits."),
    "new_pin_rule": ("Mã PIN cần 6 đến 12 chữ số, không phải 2580, không lặp một chữ số, "
                     "không phải dãy liên tiếp như 123456",
                     "The PIN needs 6 to 12 digits, not 2580, not one repeated digit, not a "
                     "run like 123456"),
    "new_pin_again": ("Nhập lại mã PIN mới", "Enter the new PIN again"),
    "new_pin_mismatch": ("Hai lần nhập không khớp, nhập lại", "The two PINs differ, start again"),
    "new_pin_done": ("Đã đặt mã PIN mới", "New PIN set"),
    "later": ("Để sau", "Later"),
    "home_title": ("Chế độ nhân viên", "Staff mode"),
    "signed_in": ("Đăng nhập: {who} ({roles})", "Signed in: {who} ({roles})"),
    "offline": (" · ngoại tuyến", " · offline"),
    "role_admin": ("quản trị", "admin"),
    "role_technician": ("kỹ thuật viên", "technician"),
    "not_built": ("Đăng ký khuôn mặt trên màn hình chưa có: dùng lệnh kiosk enrol và "
                  "kiosk people.",
                  "Enrolment screens are not built yet: use kiosk enrol and kiosk people."),
    "setup": ("Máy in và máy chủ", "Printer and server"),
    "setup_title": ("Cài đặt máy in và máy chủ", "Printer and server set-up"),
    "printer_url": ("Địa chỉ máy in, ví dụ tcp://192.168.1.50:9100",
                    "Printer URL, e.g. tcp://192.168.1.50:9100"),
    "server_url": ("Máy chủ, ví dụ http://10.0.0.5:8000 (trống: độc lập)",
                   "Server, e.g. http://10.0.0.5:8000 (empty: standalone)"),
    "token_keep": ("Mã ki-ốt mới (trống: giữ mã cũ)", "New kiosk token (empty: keep)"),
    "check": ("Kiểm tra", "Check"),
    "test_print": ("In thử", "Test print"),
    "save": ("Lưu", "Save"),
    "checking": ("Đang kiểm tra…", "Checking…"),
    "not_saved": ("Chưa lưu: {why}", "Not saved: {why}"),
    "saved": ("Đã lưu vào {path}. Máy in, xoay và lật gương áp dụng ngay; máy chủ, nguồn "
              "camera và cỡ ảnh khi khởi động lại.",
              "Saved to {path}. Printer, rotation and mirror apply now; server, camera "
              "source and size at the next start."),
    "camera": ("Camera", "Camera"),
    "camera_title": ("Cài đặt camera", "Camera set-up"),
    "camera_source": ("Camera: số thiết bị (0), địa chỉ rtsp://… hoặc tệp",
                      "Camera: device index (0), rtsp://… URL or a file"),
    "rotation": ("Xoay {deg}°", "Rotate {deg}°"),
    "mirror_on": ("Lật gương: bật", "Mirror: on"),
    "mirror_off": ("Lật gương: tắt", "Mirror: off"),
    "resolution": ("Cỡ ảnh: {size}", "Size: {size}"),
    "default": ("mặc định", "default"),
    "devices": ("Camera cắm vào máy: {found}", "Camera devices: {found}"),
    "no_devices": ("Không tìm thấy camera nào cắm vào máy", "No camera device found"),
    "lock": ("Khóa và trở về", "Lock and return"),
    "exit": ("Thoát ra màn hình máy", "Exit to the desktop"),
    "exit_title": ("Thoát ứng dụng ki-ốt?", "Leave the kiosk app?"),
    "exit_why": ("Công dân sẽ không lấy được số cho đến khi ứng dụng chạy lại.",
                 "Citizens cannot take a number until the app runs again."),
    "exit_yes": ("Thoát", "Exit"),
    "exit_no": ("Không thoát", "Stay"),
}


def staff_text(key: str, language: str = "vi", **values: object) -> str:
    """The sentence ``key`` in ``language`` ('vi' or 'en'), with ``values`` filled in."""
    vi, en = TEXTS[key]
    sentence = en if language == "en" else vi
    return sentence.format(**values) if values else sentence
