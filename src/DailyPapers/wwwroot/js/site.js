// Renders TeX in elements marked .tex with the vendored KaTeX; pages read fine without it. KaTeX (script, styles and
// fonts) is fetched only when a page has math in it, so pages without formulas pay nothing for it.
(function () {
  var delimiters = [
    { left: "$$", right: "$$", display: true },
    { left: "\\[", right: "\\]", display: true },
    { left: "$", right: "$", display: false },
    { left: "\\(", right: "\\)", display: false }
  ];

  function hasMath(el) {
    var t = el.textContent;
    return t.indexOf("$") >= 0 || t.indexOf("\\(") >= 0 || t.indexOf("\\[") >= 0;
  }

  function load(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function render(root) {
    var els = Array.prototype.filter.call((root || document).querySelectorAll(".tex"), hasMath);
    if (els.length === 0) return;
    var ready = window.renderMathInElement ? Promise.resolve() : (function () {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = "/lib/katex/katex.min.css";
      document.head.appendChild(css);
      return load("/lib/katex/katex.min.js").then(function () { return load("/lib/katex/auto-render.min.js"); });
    })();
    ready.then(function () {
      // In slices of ~30 ms, so a long list with many formulas never blocks input for long.
      var i = 0;
      (function slice() {
        var until = Date.now() + 30;
        while (i < els.length && Date.now() < until)
          window.renderMathInElement(els[i++], { delimiters: delimiters, throwOnError: false, strict: "ignore" });
        if (i < els.length) setTimeout(slice, 0);
      })();
    }, function () { /* offline or blocked: the TeX stays readable as text */ });
  }

  document.addEventListener("DOMContentLoaded", function () { render(document); });
  // Content swapped in by htmx (comment previews, replies) gets the same treatment.
  document.addEventListener("htmx:afterSwap", function (e) { render(e.target); });
})();
