/* Display board: live state over server-sent events (polling where EventSource is missing);
   each call is spoken with the server's audio (/board/<site>/announce/<event>.wav, built
   from the voice pack), one at a time through a queue, never overlapping. If the browser
   blocks sound until someone touches the screen, a button asks for one tap. When sound
   cannot play, a small note tells staff why. ES5 for old TV browsers.
   window.soundLog: one entry per played call {event_id, recall, url, start, end, ok} (ms,
   performance clock), for tests and for staff checking a board. */
(function () {
  function $(id) { return document.getElementById(id); }
  function esc(s) {
    return String(s === null || s === undefined ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  function now() { return window.performance && performance.now ? performance.now() : Date.now(); }

  var state = JSON.parse($('board-data').textContent);
  var seenCall = 0;
  var queue = [];          // calls waiting to be heard, oldest first
  var playing = false;
  var blocked = false;     // the browser refused to play until a tap
  var audioCtx = null;
  var clockSkew = 0;       // server clock minus this TV's clock, ms
  var STALE_MS = 120000;   // a call not heard within 2 minutes is not played any more
  window.soundLog = [];

  function columns(n) {
    var portrait = window.innerHeight > window.innerWidth;
    if (portrait) { return n <= 10 ? 1 : (n <= 22 ? 2 : 3); }
    return n <= 8 ? 1 : (n <= 16 ? 2 : 3);
  }

  function staffNote(text) {
    var el = $('staff-note');
    if (text) { el.innerHTML = esc('⚠ ' + text); el.hidden = false; } else { el.hidden = true; }
  }

  function render(data, freshCounters) {
    var rows = '', i, c;
    for (i = 0; i < data.counters.length; i++) {
      c = data.counters[i];
      rows += '<li class="crow st-' + esc(c.status || 'idle') +
        (freshCounters[c.counter] ? ' fresh' : '') + '"><span class="num">' +
        esc(c.number || '—') + '</span><span class="ctr"><small>Quầy</small>' +
        esc(c.counter) + '</span></li>';
    }
    var grid = $('serving');
    grid.innerHTML = rows;
    grid.className = 'counter-grid cols-' + columns(data.counters.length);
    var recent = '';
    for (i = 0; i < data.recent_calls.length; i++) {
      c = data.recent_calls[i];
      recent += '<li><b>' + esc(c.number) + '</b> → ' + esc(c.counter) +
        (c.recall ? ' <small>(gọi lại)</small>' : '') + '</li>';
    }
    $('recent').innerHTML = recent;
    trimToFit($('recent'));
    var waiting = '';
    for (i = 0; i < data.services.length; i++) {
      waiting += '<li><span>' + esc(data.services[i].prefix) + ' · ' +
        esc(data.services[i].name_vi) + '</span><b>' + esc(data.services[i].waiting) + '</b></li>';
    }
    $('waiting').innerHTML = waiting;
    var busy = 0;
    for (i = 0; i < data.counters.length; i++) { if (data.counters[i].number) { busy++; } }
    var h = data.hours || {};
    $('board').className = 'board-wrap' + (h.open ? '' : ' is-closed') + (busy ? '' : ' no-calls');
    $('hours').innerHTML = h.opens_at ? esc(' · Giờ làm việc / Opening hours ' + h.opens_at +
      '–' + h.closes_at) : '';
    $('closed-note').innerHTML = esc(h.closed_note || '');
    $('reopens').innerHTML = esc(h.reopens_text || '');
    if (!h.open) {
      $('announce').innerHTML = esc('Ngoài giờ làm việc / Closed');
      $('announce').className = 'announce';
    }
    if (data.server_time_ms) { clockSkew = data.server_time_ms - Date.now(); }
    if (data.sound_error) { staffNote('Âm thanh / Sound: ' + data.sound_error); }
  }

  function trimToFit(list) {  // drop the oldest calls that do not fit their box whole
    var box = list.parentNode.getBoundingClientRect();
    while (list.lastChild && list.lastChild.getBoundingClientRect().bottom > box.bottom + 1) {
      list.removeChild(list.lastChild);
    }
  }

  function showCall(call) {
    var box = $('announce');
    box.innerHTML = esc(call.announce.text);
    box.className = 'announce' + (call.recall ? ' recall' : '');
    void box.offsetWidth;
    box.className = 'announce flash' + (call.recall ? ' recall' : '');
    window.lastAnnouncement = call.announce;
  }

  function chime(done) {  // only when the server's audio cannot play
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { done(); return; }
      audioCtx = audioCtx || new Ctx();
      var t = audioCtx.currentTime, notes = [880, 659];
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

  function explain(url) {  // why the audio failed, for the staff note
    var x = new XMLHttpRequest();
    x.open('GET', url);
    x.onload = function () {
      staffNote('Âm thanh / Sound: ' + (x.status === 200 ? 'the browser cannot play the audio'
        : 'HTTP ' + x.status + ' ' + String(x.responseText).split('\n')[0].slice(0, 160)));
    };
    x.onerror = function () { staffNote('Âm thanh / Sound: the server cannot be reached'); };
    x.send();
  }

  function playNext() {
    if (playing || blocked) { return; }
    while (queue.length && now() - queue[0].received > STALE_MS) { queue.shift(); }
    if (!queue.length) { return; }
    var call = queue[0];
    playing = true;
    var audio = new Audio(call.audio);
    var entry = { event_id: call.event_id, recall: !!call.recall, url: call.audio,
                  start: null, end: null, ok: null };
    var finished = false, timer = null;
    function finish(ok, why) {
      if (finished) { return; }
      finished = true;
      if (timer) { clearTimeout(timer); }
      entry.end = now();
      entry.ok = ok;
      queue.shift();
      var go = function () { playing = false; setTimeout(playNext, 300); };
      if (ok) { staffNote(state.sound_error ? 'Âm thanh / Sound: ' + state.sound_error : '');
        go(); } else { if (why) { staffNote(why); } else { explain(call.audio); } chime(go); }
    }
    audio.onended = function () { finish(true); };
    audio.onerror = function () { finish(false); };
    var started = function () {
      entry.start = now();
      window.soundLog.push(entry);
      $('sound-hint').hidden = true;
      // a call lasts under 10 s; never let a stuck element hold the queue
      timer = setTimeout(function () { finish(false, 'Âm thanh / Sound: playback stalled'); },
                         20000);
    };
    var p;
    try { p = audio.play(); } catch (e) { p = null; }
    if (p && p.then) {
      p.then(started, function (err) {
        if (err && err.name === 'NotAllowedError') {
          blocked = true; playing = false;
          $('sound-hint').hidden = false;
          staffNote('Âm thanh bị trình duyệt chặn: chạm vào màn hình một lần / ' +
                    'Sound blocked by the browser: tap the screen once');
        } else if (!finished) { finish(false); }
      });
    } else { started(); }
  }

  function unlock() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (Ctx) { audioCtx = audioCtx || new Ctx(); if (audioCtx.resume) { audioCtx.resume(); } }
    } catch (e) { /* no WebAudio */ }
    $('sound-hint').hidden = true;
    if (blocked) { blocked = false; staffNote(''); playNext(); }
  }

  function update(data) {
    var fresh = [], freshCounters = {}, i;
    for (i = data.recent_calls.length - 1; i >= 0; i--) {
      if (data.recent_calls[i].event_id > seenCall) { fresh.push(data.recent_calls[i]); }
    }
    if (data.recent_calls.length) { seenCall = Math.max(seenCall, data.recent_calls[0].event_id); }
    for (i = 0; i < fresh.length; i++) { freshCounters[fresh[i].counter] = true; }
    state = data;
    render(data, freshCounters);
    for (i = 0; i < fresh.length; i++) {
      fresh[i].received = now();
      queue.push(fresh[i]);
      showCall(fresh[i]);
    }
    playNext();
    window.boardUpdates = (window.boardUpdates || 0) + 1;
    $('board').setAttribute('data-updates', String(window.boardUpdates));
  }

  function poll() {
    var x = new XMLHttpRequest();
    x.open('GET', state.json_url);
    x.onload = function () { if (x.status === 200) { update(JSON.parse(x.responseText)); } };
    x.send();
  }

  function tick() {  // the site's wall clock, whatever zone and time the TV is set to
    var d = new Date(Date.now() + clockSkew + (state.utc_offset_minutes || 0) * 60000);
    var p = function (n) { return (n < 10 ? '0' : '') + n; };
    $('clock').innerHTML = p(d.getUTCHours()) + ':' + p(d.getUTCMinutes()) + ':' +
      p(d.getUTCSeconds());
    $('clock-date').innerHTML = p(d.getUTCDate()) + '/' + p(d.getUTCMonth() + 1) + '/' +
      d.getUTCFullYear();
  }

  if (state.recent_calls && state.recent_calls.length) { seenCall = state.recent_calls[0].event_id; }
  render(state, {});
  if (window.EventSource) {
    var es = new EventSource(state.events_url);
    es.addEventListener('board', function (e) { update(JSON.parse(e.data)); });
  } else {
    setInterval(poll, 1500);
  }
  tick();
  setInterval(tick, 1000);
  window.addEventListener('resize', function () { render(state, {}); });
  $('sound-hint').onclick = unlock;
  document.body.addEventListener('click', unlock);
  document.body.addEventListener('touchstart', unlock);
})();
