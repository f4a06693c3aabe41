// Shared by the pages of `leno report` and `leno compare`: colours, number format, chart mounting, the
// CSV buttons, and the self-check that scripts/browser_check.sh reads from #leno-status.
var LenoPage = (function () {
  "use strict";
  var checking = location.hash === "#check";
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];
  var charts = {};   // id -> ECharts instance
  var csv = {};      // id -> function returning rows (first row: header)

  function color(i) { return PALETTE[i % PALETTE.length]; }
  function fmt(v) { return v === null || v === undefined ? "n/a" : +Number(v).toPrecision(5); }
  function escape(s) {
    return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  /** A y axis with its name written along it, and numbers as they are (no 1e-3 style). */
  function yAxis(axis) {
    return Object.assign({ nameLocation: "middle", nameGap: 46, axisLabel: { formatter: function (v) { return fmt(v); } } }, axis);
  }

  function mount(id, option) {
    var el = document.getElementById("chart-" + id);
    if (!el) { return null; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts[id] = chart;
    return chart;
  }


  function csvText(rows) {
    return rows.map(function (r) {
      return r.map(function (v) {
        var s = v === null || v === undefined ? "" : String(v);
        return /[",\n]/.test(s) ? "\"" + s.replace(/"/g, "\"\"") + "\"" : s;
      }).join(",");
    }).join("\n") + "\n";
  }

  function buttons() {
    document.querySelectorAll("button.csv").forEach(function (button) {
      button.addEventListener("click", function () {
        var id = button.getAttribute("data-csv");
        var blob = new Blob([csvText(csv[id]())], { type: "text/csv" });
        var a = document.createElement("a");
        a.href = URL.createObjectURL(blob);
        a.download = id + ".csv";
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
      });
    });
  }

  function painted(canvas) {
    var ctx = canvas.getContext("2d");
    var pixels = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    var n = 0;
    for (var k = 3; k < pixels.length; k += 4) { if (pixels[k] > 0) { n++; } }
    return n;
  }

  // --- self-check (scripts/browser_check.sh): what rendered, and with #check at the end of the URL
  // also a tooltip per chart, the slider's first position and every CSV button's download ------------
  function hover() {
    Object.keys(charts).forEach(function (id) {
      var series = charts[id].getOption().series;
      var k = series.findIndex(function (s) { return s.data && s.data.length > 0; });
      if (k >= 0) {
        var before = window.lenoProblems.length;
        charts[id].dispatchAction({ type: "showTip", seriesIndex: k, dataIndex: 0 });
        for (var n = before; n < window.lenoProblems.length; n++) { window.lenoProblems[n] += " (hovering chart " + id + ")"; }
      }
    });
  }

  function tooltipText(el) {
    var texts = Array.prototype.filter.call(el.children, function (c) { return !c.querySelector("canvas") && c.textContent.trim(); })
      .map(function (c) { return c.textContent.replace(/\s+/g, " ").trim(); });
    return texts.length ? texts[0].slice(0, 80) : "";
  }

  /** Presses every CSV button with the download itself intercepted; returns file name -> Blob. */
  function pressButtons() {
    var blobs = {}, last = null;
    var create = URL.createObjectURL, click = HTMLAnchorElement.prototype.click;
    URL.createObjectURL = function (blob) { last = blob; return create.call(URL, blob); };
    HTMLAnchorElement.prototype.click = function () { blobs[this.download] = last; };
    try {
      document.querySelectorAll("button.csv").forEach(function (button) { button.click(); });
    } finally {
      URL.createObjectURL = create;
      HTMLAnchorElement.prototype.click = click;
    }
    return blobs;
  }

  function status(blobs, slider, sorted) {
    var lines = [];
    document.querySelectorAll(".chart").forEach(function (el) {
      var id = el.id.replace(/^chart-/, "");
      var canvas = el.querySelector("canvas");
      var svg = el.querySelector("svg");
      var chart = charts[id];
      lines.push("chart " + id + " instance=" + (chart ? 1 : 0)
        + " size=" + (canvas ? canvas.width + "x" + canvas.height : "0x0")
        + " painted=" + (canvas ? painted(canvas) : svg ? svg.childElementCount : 0)
        + " series=" + (chart ? chart.getOption().series.length : 0));
      if (checking) { lines.push("tooltip " + id + " " + tooltipText(el)); }
    });
    document.querySelectorAll("button.csv").forEach(function (button) {
      var id = button.getAttribute("data-csv");
      lines.push("csv " + id + " rows=" + (csv[id] ? csv[id]().length - 1 : -1));
    });
    if (slider !== null) { lines.push("slider " + slider); }
    (sorted || []).forEach(function (line) { lines.push("sort " + line); });
    var names = Object.keys(blobs).sort();
    return Promise.all(names.map(function (name) { return blobs[name] ? blobs[name].text() : Promise.resolve(""); }))
      .then(function (texts) {
        texts.forEach(function (t, k) {
          lines.push("download " + names[k] + " lines=" + (t ? t.trim().split("\n").length : 0) + " header=" + t.split("\n")[0]);
        });
        lines.push("resources " + performance.getEntriesByType("resource").length);
        lines.push("problems " + window.lenoProblems.length);
        window.lenoProblems.forEach(function (p) { lines.push("problem " + p.replace(/\s+/g, " ")); });
        lines.push("done");
        document.getElementById("leno-status").textContent = lines.join("\n");
      });
  }

  function step(name, f) {
    try { return f(); } catch (e) { console.error("report: " + name + ": " + (e && e.stack ? e.stack : e)); return null; }
  }


  /**
   * After the page drew its charts: wires the CSV buttons and, two frames later, writes the status;
   * with #check also presses every button, runs {@code extraCheck} (its text goes on a "slider" line)
   * and {@code sortCheck} (each of its lines on a "sort" line, ending in "ok" when the table sorted right),
   * and hovers each chart.
   */
  function finish(extraCheck, sortCheck) {
    step("buttons", buttons);
    window.addEventListener("resize", function () { Object.keys(charts).forEach(function (id) { charts[id].resize(); }); });
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        var blobs = checking ? step("buttons", pressButtons) || {} : {};
        var slider = checking && extraCheck ? step("slider", extraCheck) : null;
        var sorted = checking && sortCheck ? step("sort", sortCheck) : null;
        if (checking) { step("hover", hover); }
        setTimeout(function () { step("status", function () { return status(blobs, slider, sorted); }); }, 300);
      });
    });
  }

  return { charts: charts, csv: csv, color: color, fmt: fmt, escape: escape, yAxis: yAxis, mount: mount, step: step,
           finish: finish };
})();
