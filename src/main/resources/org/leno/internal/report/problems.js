// Records what goes wrong, for a reader and for scripts/browser_check.sh: script errors, resources
// that failed to load, blocked requests, console errors and warnings.
window.lenoProblems = [];
(function () {
  function note(kind, text) { window.lenoProblems.push(kind + ": " + text); }
  window.addEventListener("error", function (e) {
    if (e.target && e.target !== window) {
      note("resource", "failed to load " + (e.target.src || e.target.href || e.target.tagName));
    } else {
      note("error", e.message + " (" + (e.filename || "inline") + ":" + (e.lineno || 0) + ")");
    }
  }, true);
  window.addEventListener("unhandledrejection", function (e) { note("error", "unhandled rejection: " + e.reason); });
  document.addEventListener("securitypolicyviolation", function (e) { note("blocked", e.violatedDirective + " " + e.blockedURI); });
  ["error", "warn"].forEach(function (level) {
    var original = console[level];
    console[level] = function () {
      note("console." + level, Array.prototype.map.call(arguments, String).join(" "));
      return original.apply(console, arguments);
    };
  });
})();
