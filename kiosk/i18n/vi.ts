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
        <location filename="../ui/texts.py" line="23"/>
        <source>The ticket printer is out of order. You can still take a number: it is shown on the screen, please note it down. Staff have been told.</source>
        <translation>Máy in phiếu đang hỏng. Quý vị vẫn lấy được số: số hiện trên màn hình, xin ghi lại. Cán bộ đã được báo.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="26"/>
        <source>This kiosk is out of order at the moment. Please see the staff.</source>
        <translation>Máy đang tạm ngừng hoạt động. Xin mời gặp cán bộ.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="29"/>
        <source>Please look at the camera</source>
        <translation>Mời nhìn vào camera</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="30"/>
        <source>Please come a little closer</source>
        <translation>Mời đứng gần hơn một chút</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="31"/>
        <source>Please move to the middle of the picture</source>
        <translation>Mời đứng vào giữa khung hình</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="32"/>
        <source>Please hold still</source>
        <translation>Mời giữ yên</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="33"/>
        <source>It is too dark: please step into the light</source>
        <translation>Hơi tối: mời đứng ra chỗ sáng hơn</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="34"/>
        <source>Too much light behind you: please turn a little</source>
        <translation>Ngược sáng: mời xoay người một chút</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="35"/>
        <source>Please look straight at the camera</source>
        <translation>Mời nhìn thẳng vào camera</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="36"/>
        <source>Only one person in front of the camera, please</source>
        <translation>Mỗi lần chỉ một người trước camera</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="37"/>
        <source>Checking your face…</source>
        <translation>Đang kiểm tra khuôn mặt…</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="39"/>
        <source>Hello, {name}!</source>
        <translation>Xin chào {name}!</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="40"/>
        <source>Hello, Mr {name}!</source>
        <translation>Xin chào Ông {name}!</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="41"/>
        <source>Hello, Ms {name}!</source>
        <translation>Xin chào Bà {name}!</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="42"/>
        <source>Hello, dear visitor {name}!</source>
        <translation>Xin chào Quý khách {name}!</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="43"/>
        <source>Show my numbers of today ({n})</source>
        <translation>Xem số đã lấy hôm nay ({n})</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="44"/>
        <source>You have taken the most numbers allowed today ({cap}). You can print one of them again; for a new number please ask the staff.</source>
        <translation>Hôm nay quý vị đã lấy đủ số lượt tối đa ({cap}). Quý vị có thể in lại số đã lấy; muốn lấy số mới xin hỏi cán bộ.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="47"/>
        <source>Priority is for the elderly, people with disabilities, pregnant women and people with a small child. The counter will check your papers. Do you need it?</source>
        <translation>Ưu tiên dành cho người cao tuổi, người khuyết tật, phụ nữ có thai và người có con nhỏ. Quầy sẽ kiểm tra giấy tờ. Quý vị có cần ưu tiên không?</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="50"/>
        <source>Yes, I need priority</source>
        <translation>Có, tôi cần ưu tiên</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="51"/>
        <source>No</source>
        <translation>Không</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="52"/>
        <source>Back to the start in {n} s. Touch the screen to stay.</source>
        <translation>Màn hình trở về ban đầu sau {n} giây. Chạm vào màn hình để tiếp tục.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="54"/>
        <source>You will be served with priority.</source>
        <translation>Quý vị được phục vụ ưu tiên.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="55"/>
        <source>Your numbers today (tap to print again):</source>
        <translation>Số của quý vị hôm nay (chạm để in lại):</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="56"/>
        <source>Print {number} again · {service}</source>
        <translation>In lại số {number} · {service}</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="57"/>
        <source>Take a number</source>
        <translation>Lấy số</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="58"/>
        <source>Cancel</source>
        <translation>Hủy</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="59"/>
        <source>We could not recognise you.</source>
        <translation>Chưa nhận diện được quý vị.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="60"/>
        <source>Welcome!</source>
        <translation>Xin kính chào!</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="61"/>
        <source>You can take a number as a guest. Your face is not stored: it is only compared today, so that each person takes one number.</source>
        <translation>Quý vị có thể lấy số với tư cách khách. Khuôn mặt không được lưu trữ, chỉ được so sánh trong ngày để mỗi người chỉ lấy một số.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="64"/>
        <source>Continue as guest</source>
        <translation>Tiếp tục với tư cách khách</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="66"/>
        <source>Choose a service</source>
        <translation>Chọn lĩnh vực</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="67"/>
        <source>Waiting: {n}</source>
        <translation>Đang chờ: {n}</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="68"/>
        <source>I need priority</source>
        <translation>Tôi cần được ưu tiên</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="69"/>
        <source>Priority: yes</source>
        <translation>Ưu tiên: có</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="70"/>
        <source>Priority asked: the counter will check your papers.</source>
        <translation>Đã yêu cầu ưu tiên: quầy sẽ kiểm tra giấy tờ.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="72"/>
        <source>You have taken the most numbers allowed today. Please ask the staff.</source>
        <translation>Quý vị đã lấy đủ số lượt cho phép hôm nay. Mời liên hệ cán bộ.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="74"/>
        <source>Sorry, no number could be issued. Please try again or ask the staff.</source>
        <translation>Xin lỗi, chưa cấp được số. Mời thử lại hoặc liên hệ cán bộ.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="76"/>
        <source>Issuing your number…</source>
        <translation>Đang cấp số…</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="78"/>
        <source>Your number</source>
        <translation>Số thứ tự của quý vị</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="79"/>
        <source>PRIORITY</source>
        <translation>ƯU TIÊN</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="80"/>
        <source>People ahead of you: {n}</source>
        <translation>Số người đang chờ trước: {n}</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="81"/>
        <source>Counter: {counters}</source>
        <translation>Quầy: {counters}</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="82"/>
        <source>Printing your ticket…</source>
        <translation>Đang in phiếu…</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="83"/>
        <source>Please take your ticket and wait to be called.</source>
        <translation>Mời nhận phiếu và chờ đến lượt.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="84"/>
        <source>You already have this number for this service today: it is printed again.</source>
        <translation>Hôm nay quý vị đã có số cho lĩnh vực này: phiếu được in lại.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="86"/>
        <source>Done</source>
        <translation>Xong</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="88"/>
        <source>The ticket could not be printed</source>
        <translation>Không in được phiếu</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="89"/>
        <source>Please note your number. Staff have been told.</source>
        <translation>Mời ghi nhớ số của quý vị. Cán bộ đã được báo.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="91"/>
        <source>Print again</source>
        <translation>In lại</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="92"/>
        <source>The printer is out of paper.</source>
        <translation>Máy in hết giấy.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="93"/>
        <source>The printer is not connected.</source>
        <translation>Máy in chưa được kết nối.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="94"/>
        <source>The printer cover is open.</source>
        <translation>Nắp máy in đang mở.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="95"/>
        <source>The printer does not answer.</source>
        <translation>Máy in không phản hồi.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="96"/>
        <source>The printer has a problem.</source>
        <translation>Máy in đang gặp sự cố.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="100"/>
        <source>Exit</source>
        <translation>Thoát</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="19"/>
        <source>Or hold the QR code of your chip ID card up to the camera</source>
        <translation>Hoặc đưa mã QR trên thẻ căn cước lên trước camera</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="21"/>
        <source>Hold the QR code of your chip ID card up to the camera to take your number</source>
        <translation>Mời đưa mã QR trên thẻ căn cước lên trước camera để lấy số</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="23"/>
        <source>This QR code is not a chip ID card. Please hold up the QR code on your ID card.</source>
        <translation>Mã QR này không phải thẻ căn cước. Mời Quý khách đưa mã QR trên thẻ căn cước.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="51"/>
        <source>ID card {number} · your face is not used</source>
        <translation>Thẻ căn cước {number} · không dùng khuôn mặt của Quý khách</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="102"/>
        <source>The centre is closed</source>
        <translation>Trung tâm đã nghỉ</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="103"/>
        <source>Opening hours today: {opens} – {closes}</source>
        <translation>Giờ làm việc hôm nay: {opens} – {closes}</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="104"/>
        <source>We open at {time} today.</source>
        <translation>Mở cửa lúc {time} hôm nay.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="105"/>
        <source>Opens again: {weekday} {date}, {time}</source>
        <translation>Mở cửa lại: {weekday} {date}, {time}</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="106"/>
        <source>Today is not a working day.</source>
        <translation>Hôm nay không phải ngày làm việc.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="106"/>
        <source>No numbers are given outside opening hours. Thank you for coming.</source>
        <translation>Ngoài giờ làm việc không cấp số. Cảm ơn quý khách đã đến.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="107"/>
        <source>This service is closed now: please choose another one or come back during its hours.</source>
        <translation>Lĩnh vực này đã hết giờ làm việc: mời chọn lĩnh vực khác hoặc quay lại trong giờ làm việc.</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="108"/>
        <source>Closed · open {opens} – {closes}</source>
        <translation>Đã nghỉ · làm việc {opens} – {closes}</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="109"/>
        <source>about {n} min</source>
        <translation>khoảng {n} phút</translation>
    </message>
    <message>
        <location filename="../ui/texts.py" line="110"/>
        <source>Estimated wait: about {n} minutes</source>
        <translation>Thời gian chờ dự kiến: khoảng {n} phút</translation>
    </message>
</context>
</TS>
