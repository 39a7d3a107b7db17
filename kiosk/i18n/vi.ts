<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi" sourcelanguage="en">
<context>
    <name>Kiosk</name>
    <message>
        <location filename="../ui/texts.py" line="16"/>
        <source>Welcome</source>
        <translation>Xin kính chào</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="17"/>
        <source>Look at the camera to take your number</source>
        <translation>Mời nhìn vào camera để lấy số</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="18"/>
        <source>Take a number without face recognition</source>
        <translation>Lấy số không cần nhận diện khuôn mặt</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="19"/>
        <source>The camera is not available. You can still take a number.</source>
        <translation>Camera đang không hoạt động. Quý vị vẫn có thể lấy số.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="21"/>
        <source>Reconnecting the camera…</source>
        <translation>Đang kết nối lại camera…</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="22"/>
        <source>Face recognition is off on this kiosk.</source>
        <translation>Ki-ốt này không bật nhận diện khuôn mặt.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="24"/>
        <source>Please look at the camera</source>
        <translation>Mời nhìn vào camera</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="25"/>
        <source>Please come a little closer</source>
        <translation>Mời đứng gần hơn một chút</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="26"/>
        <source>Please move to the middle of the picture</source>
        <translation>Mời đứng vào giữa khung hình</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="27"/>
        <source>Please hold still</source>
        <translation>Mời giữ yên</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="28"/>
        <source>It is too dark: please step into the light</source>
        <translation>Hơi tối: mời đứng ra chỗ sáng hơn</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="29"/>
        <source>Too much light behind you: please turn a little</source>
        <translation>Ngược sáng: mời xoay người một chút</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="30"/>
        <source>Please look straight at the camera</source>
        <translation>Mời nhìn thẳng vào camera</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="31"/>
        <source>Only one person in front of the camera, please</source>
        <translation>Mỗi lần chỉ một người trước camera</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="32"/>
        <source>Checking your face…</source>
        <translation>Đang kiểm tra khuôn mặt…</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="34"/>
        <source>Hello, {name}!</source>
        <translation>Xin chào {name}!</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="35"/>
        <source>You will be served with priority.</source>
        <translation>Quý vị được phục vụ ưu tiên.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="36"/>
        <source>Your numbers today (tap to print again):</source>
        <translation>Số của quý vị hôm nay (chạm để in lại):</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="37"/>
        <source>Print {number} again · {service}</source>
        <translation>In lại số {number} · {service}</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="38"/>
        <source>Take a number</source>
        <translation>Lấy số</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="39"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="40"/>
        <source>We could not recognise you.</source>
        <translation>Chưa nhận diện được quý vị.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="41"/>
        <source>Welcome!</source>
        <translation>Xin kính chào!</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="42"/>
        <source>You can take a number as a guest. Nothing about your face is kept.</source>
        <translation>Quý vị có thể lấy số với tư cách khách. Hình ảnh khuôn mặt không được lưu lại.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="44"/>
        <source>Continue as guest</source>
        <translation>Tiếp tục với tư cách khách</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="46"/>
        <source>Choose a service</source>
        <translation>Chọn lĩnh vực</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="47"/>
        <source>I need priority</source>
        <translation>Tôi cần được ưu tiên</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="48"/>
        <source>Priority: yes</source>
        <translation>Ưu tiên: có</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="49"/>
        <source>Priority asked: the counter will check your papers.</source>
        <translation>Đã yêu cầu ưu tiên: quầy sẽ kiểm tra giấy tờ.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="51"/>
        <source>You have taken the most numbers allowed today. Please ask the staff.</source>
        <translation>Quý vị đã lấy đủ số lượt cho phép hôm nay. Mời liên hệ cán bộ.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="53"/>
        <source>Sorry, no number could be issued. Please try again or ask the staff.</source>
        <translation>Xin lỗi, chưa cấp được số. Mời thử lại hoặc liên hệ cán bộ.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="55"/>
        <source>Issuing your number…</source>
        <translation>Đang cấp số…</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="57"/>
        <source>Your number</source>
        <translation>Số thứ tự của quý vị</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="58"/>
        <source>PRIORITY</source>
        <translation>ƯU TIÊN</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="59"/>
        <source>People ahead of you: {n}</source>
        <translation>Số người đang chờ trước: {n}</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="60"/>
        <source>Counter: {counters}</source>
        <translation>Quầy: {counters}</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="61"/>
        <source>Printing your ticket…</source>
        <translation>Đang in phiếu…</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="62"/>
        <source>Please take your ticket and wait to be called.</source>
        <translation>Mời nhận phiếu và chờ đến lượt.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="63"/>
        <source>You already have this number for this service today: it is printed again.</source>
        <translation>Hôm nay quý vị đã có số cho lĩnh vực này: phiếu được in lại.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="65"/>
        <source>Done</source>
        <translation>Xong</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="67"/>
        <source>The ticket could not be printed</source>
        <translation>Không in được phiếu</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="68"/>
        <source>Please note your number. Staff have been told.</source>
        <translation>Mời ghi nhớ số của quý vị. Cán bộ đã được báo.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="70"/>
        <source>Print again</source>
        <translation>In lại</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="71"/>
        <source>The printer is out of paper.</source>
        <translation>Máy in hết giấy.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="72"/>
        <source>The printer is not connected.</source>
        <translation>Máy in chưa được kết nối.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="73"/>
        <source>The printer cover is open.</source>
        <translation>Nắp máy in đang mở.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="74"/>
        <source>The printer does not answer.</source>
        <translation>Máy in không phản hồi.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="75"/>
        <source>The printer has a problem.</source>
        <translation>Máy in đang gặp sự cố.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="77"/>
        <source>Technician PIN</source>
        <translation>Mã PIN kỹ thuật viên</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="78"/>
        <source>Wrong PIN</source>
        <translation>Sai mã PIN</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="79"/>
        <source>Exit</source>
        <translation>Thoát</translation>
    </message>
</context>
</TS>
