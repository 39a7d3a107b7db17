/* Counter console: keyboard shortcuts, the current ticket's timers, the waiting list
   refreshed every 3 s, and a banner when the list goes stale (session lost, server silent).
   ES5 only, for old browsers. Data comes from <script id="console-data">. */
(function () {
  var data = JSON.parse(document.getElementById('console-data').textContent);
  var skew = Date.now() - Date.parse(data.now);  // browser clock minus server clock (ms)
  var box = document.getElementById('queue');
  var banner = document.getElementById('stale');
  var bannerText = document.getElementById('stale-text');
  var loginLink = document.getElementById('stale-login');
  var lastGood = Date.now();
  var failures = 0;
  window.consoleRefreshes = 0;

  function pad(n) { return (n < 10 ? '0' : '') + n; }
  function clock(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + ':' + pad(m) : m) + ':' + pad(s % 60);
  }
  function serverNow() { return Date.now() - skew; }

  var timer = document.getElementById('timer');
  function tick() {
    var c = data.current;
    if (!c || !timer) { return; }
    var issued = Date.parse(c.issued_at), called = Date.parse(c.called_at);
    var text = 'Đã chờ / Waited ' + clock(called - issued);
    if (c.status === 'serving' && c.serving_at) {
      text += ' · Phục vụ / Serving ' + clock(serverNow() - Date.parse(c.serving_at));
    } else {
      text += ' · Đã gọi / Called ' + clock(serverNow() - called) + ' trước / ago';
    }
    timer.textContent = text;
  }
  tick();
  setInterval(tick, 1000);

  function busy() {
    var buttons = document.querySelectorAll('button');
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
  }
  var forms = document.querySelectorAll('form');
  for (var f = 0; f < forms.length; f++) {
    // One submit per click: later clicks and keys wait for the page that answers.
    forms[f].addEventListener('submit', function () { setTimeout(busy, 0); });
  }

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey || e.repeat) { return; }
    var tag = (e.target && e.target.tagName) || '';
    if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') { return; }
    var action = data.keys[(e.key || '').toUpperCase()];
    if (!action) { return; }
    var button = document.querySelector('button[data-action="' + action + '"]');
    if (button && !button.disabled) {
      e.preventDefault();
      button.click();
    }
  });

  function showStale(text, login) {
    bannerText.textContent = text;
    loginLink.hidden = !login;
    banner.hidden = false;
    box.className = 'card stale';
  }
  function clearStale() {
    banner.hidden = true;
    box.className = 'card';
  }

  function refresh() {
    var x = new XMLHttpRequest();
    x.open('GET', data.queue_url);
    x.timeout = 5000;
    x.onload = function () {
      if (x.status === 200) {
        failures = 0;
        lastGood = Date.now();
        box.innerHTML = x.responseText;
        window.consoleRefreshes += 1;
        clearStale();
        var state = document.getElementById('queue-state');
        if (state && state.getAttribute('data-version') !== data.version) {
          window.location.replace(window.location.pathname);  // changed elsewhere
        }
      } else if (x.status === 401) {
        showStale('Phiên đăng nhập đã hết: danh sách không còn cập nhật. / Your session ' +
                  'ended: the list is no longer updated.', true);
      } else {
        failed();
      }
    };
    x.onerror = failed;
    x.ontimeout = failed;
    x.send();
  }
  function failed() {
    failures += 1;
    var at = new Date(lastGood);
    showStale('Máy chủ không trả lời: danh sách có thể đã cũ (cập nhật lúc ' +
              pad(at.getHours()) + ':' + pad(at.getMinutes()) + ':' + pad(at.getSeconds()) +
              '), đang thử lại… / The server does not answer: the list may be out of ' +
              'date; retrying…', false);
  }
  setInterval(refresh, 3000);
})();
