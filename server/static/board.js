/* Display board: live state over server-sent events (polling where EventSource is missing),
   a chime and the call spoken in Vietnamese where the browser can. ES5 for old TVs. */
(function () {
  // Data from the page: a JSON block (never script), so a name cannot run as code.
  var boot = JSON.parse(document.getElementById('board-data').textContent);
  var state = boot.board || {};
  var EVENTS_URL = boot.events;
  var JSON_URL = boot.json;
  var seenCall = 0;
  var queue = [];
  var speaking = false;
  var audioCtx = null;

  function $(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s === null || s === undefined ? '' : s).replace(/[&<>"]/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c];
    });
  }

  function render(data) {
    var rows = '', i;
    for (i = 0; i < data.serving.length; i++) {
      rows += '<tr class="row-' + esc(data.serving[i].status) + '"><td class="num">' +
        esc(data.serving[i].number) + '</td><td class="ctr">' + esc(data.serving[i].counter) +
        '</td></tr>';
    }
    $('serving').innerHTML = rows || '<tr><td colspan="2" class="empty">—</td></tr>';
    var recent = '';
    for (i = 0; i < data.recent_calls.length; i++) {
      recent += '<li><b>' + esc(data.recent_calls[i].number) + '</b> → ' +
        esc(data.recent_calls[i].counter) +
        (data.recent_calls[i].kind === 'recalled' ? ' <small>(gọi lại)</small>' : '') + '</li>';
    }
    $('recent').innerHTML = recent;
    var waiting = '';
    for (i = 0; i < data.services.length; i++) {
      waiting += '<li><span>' + esc(data.services[i].prefix) + ' · ' +
        esc(data.services[i].name_vi) + '</span><b>' + esc(data.services[i].waiting) + '</b></li>';
    }
    $('waiting').innerHTML = waiting;
  }

  function chime(done) {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { done(); return; }
      audioCtx = audioCtx || new Ctx();
      var t = audioCtx.currentTime;
      var notes = [880, 659];
      for (var i = 0; i < notes.length; i++) {
        var o = audioCtx.createOscillator(), g = audioCtx.createGain();
        o.frequency.value = notes[i];
        g.gain.setValueAtTime(0.0001, t + i * 0.45);
        g.gain.exponentialRampToValueAtTime(0.4, t + i * 0.45 + 0.03);
        g.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.45 + 0.42);
        o.connect(g); g.connect(audioCtx.destination);
        o.start(t + i * 0.45); o.stop(t + i * 0.45 + 0.45);
      }
      setTimeout(done, 950);
    } catch (e) { done(); }
  }

  function speak(text, done) {
    if (!window.speechSynthesis || !window.SpeechSynthesisUtterance) { done(); return; }
    try {
      var u = new SpeechSynthesisUtterance(text);
      u.lang = 'vi-VN';
      u.rate = 0.9;
      var voices = window.speechSynthesis.getVoices() || [];
      for (var i = 0; i < voices.length; i++) {
        if (voices[i].lang && voices[i].lang.toLowerCase().indexOf('vi') === 0) { u.voice = voices[i]; break; }
      }
      var finished = false;
      var end = function () { if (!finished) { finished = true; done(); } };
      u.onend = end; u.onerror = end;
      setTimeout(end, 8000);
      window.speechSynthesis.speak(u);
    } catch (e) { done(); }
  }

  function nextAnnouncement() {
    if (speaking || !queue.length) { return; }
    speaking = true;
    var call = queue.shift();
    var box = $('announce');
    box.innerHTML = esc(call.announce.text);
    box.className = 'announce';
    void box.offsetWidth;
    box.className = 'announce flash';
    window.lastAnnouncement = call.announce;
    chime(function () {
      speak(call.announce.speech, function () { speaking = false; nextAnnouncement(); });
    });
  }

  function update(data) {
    var fresh = [];
    for (var i = data.recent_calls.length - 1; i >= 0; i--) {
      if (data.recent_calls[i].event_id > seenCall) { fresh.push(data.recent_calls[i]); }
    }
    if (data.recent_calls.length) { seenCall = Math.max(seenCall, data.recent_calls[0].event_id); }
    state = data;
    render(data);
    for (var j = 0; j < fresh.length; j++) { queue.push(fresh[j]); }
    nextAnnouncement();
    window.boardUpdates = (window.boardUpdates || 0) + 1;
  }

  function poll() {
    var x = new XMLHttpRequest();
    x.open('GET', JSON_URL);
    x.onload = function () { if (x.status === 200) { update(JSON.parse(x.responseText)); } };
    x.send();
  }

  if (state.recent_calls && state.recent_calls.length) { seenCall = state.recent_calls[0].event_id; }
  if (window.EventSource) {
    var es = new EventSource(EVENTS_URL);
    es.addEventListener('board', function (e) { update(JSON.parse(e.data)); });
    // Refused (the server's board streams are full: 503) or gone for good: poll instead.
    es.onerror = function () { if (es.readyState === 2) { setInterval(poll, 3000); poll(); } };
  } else {
    setInterval(poll, 1500);
  }

  function tick() {
    var d = new Date();
    var p = function (n) { return (n < 10 ? '0' : '') + n; };
    $('clock').innerHTML = p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  }
  tick();
  setInterval(tick, 1000);
  document.body.onclick = function () {
    var hint = $('sound-hint');
    if (hint) { hint.style.display = 'none'; }
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) { audioCtx = audioCtx || new Ctx(); audioCtx.resume && audioCtx.resume(); }
    } catch (e) { /* no sound */ }
  };
})();
