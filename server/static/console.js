/* Counter console: refresh the waiting list every 3 s. ES5. */
(function () {
  var box = document.getElementById('queue');
  if (!box) { return; }
  function refresh() {
    var x = new XMLHttpRequest();
    x.open('GET', box.getAttribute('data-src'));
    x.onload = function () { if (x.status === 200) { box.innerHTML = x.responseText; } };
    x.send();
  }
  setInterval(refresh, 3000);
})();
