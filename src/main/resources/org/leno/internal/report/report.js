// Draws the report's charts from the inlined data (#leno-data) with ECharts; page.js (inlined before
// this) wires the CSV buttons and writes what rendered into #leno-status (read by scripts/browser_check.sh).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("leno-data").textContent);
  var runs = data.runs;
  var P = LenoPage, charts = P.charts, csv = P.csv, color = P.color, fmt = P.fmt, escape = P.escape, yAxis = P.yAxis;
  var mount = P.mount, step = P.step;

  function index(table, name) { return table.columns.indexOf(name); }
  function pairs(table, x, y) {
    var i = index(table, x), j = index(table, y);
    return table.rows.map(function (r) { return [r[i], r[j]]; });
  }
  // Series are named after their run, so that the legend has one entry per run (a click hides all of
  // its lines); the tooltip names each line by its own label.
  function tooltip(xName) {
    return {
      trigger: "axis",
      formatter: function (params) {
        if (!params.length) { return ""; }
        return [escape(xName) + " " + fmt(params[0].axisValue)].concat(params.filter(function (p) { return p.value; })
          .map(function (p) { return p.marker + escape(p.data && p.data.tip || p.seriesName) + ": <b>" + fmt(p.value[1]) + "</b>"; }))
          .join("<br>");
      }
    };
  }

  function legend() {
    return { top: 0, left: 0, right: 0, data: runs.map(function (run, i) {
      return { name: run.name, itemStyle: { color: color(i), opacity: 1 }, lineStyle: { color: color(i), type: "solid", opacity: 1 } };
    }) };
  }

  function lineOption(yAxis, series) {
    return {
      animation: false,
      grid: { left: 64, right: 18, top: 36, bottom: 42 },
      tooltip: tooltip("epoch"),
      legend: legend(),
      xAxis: { type: "value", name: "epoch", nameLocation: "middle", nameGap: 26, minInterval: 1, scale: true },
      yAxis: yAxis,
      series: series
    };
  }

  var seriesCount = 0;
  /** A line of run i; label names it in the tooltip (kept as the series id). */
  function line(label, points, i, style, extra) {
    var s = {
      id: label + " #" + (seriesCount++), name: runs[i].name, type: "line", symbol: "circle", symbolSize: 5,
      data: points.map(function (p) { return { value: p, tip: label }; }),
      lineStyle: { color: color(i), type: style, width: 2 }, itemStyle: { color: color(i) }
    };
    return Object.assign(s, extra || {});
  }

  // --- curves over epochs ---------------------------------------------------------------------
  function curves() {
    var loss = [], acc = [], lr = [];
    runs.forEach(function (run, i) {
      loss.push(line(run.name + " train", pairs(run.train, "epoch", "loss"), i, "solid"));
      loss.push(line(run.name + " val", pairs(run.val, "epoch", "loss"), i, "dashed", { symbol: "rect" }));
      acc.push(line(run.name + " val", pairs(run.val, "epoch", "acc1"), i, "solid"));
      acc.push(line(run.name + " train", pairs(run.train, "epoch", "acc1"), i, "dotted", { symbolSize: 3 }));
      lr.push(line(run.name, pairs(run.train, "epoch", "lr"), i, "solid", { step: "end" }));
    });
    mount("loss", lineOption(yAxis({ type: "log", name: "loss" }), loss));
    mount("acc1", lineOption(yAxis({ type: "value", name: "Acc@1 (%)", scale: true, max: 100 }), acc));
    // ECharts shows no tooltip on a log axis that spans a single value (a run with one lr, e.g. one epoch)
    var lrs = {};
    lr.forEach(function (s) { s.data.forEach(function (d) { lrs[d.value[1]] = true; }); });
    var lrAxis = Object.keys(lrs).length > 1 ? { type: "log", name: "learning rate" } : { type: "value", name: "learning rate", scale: true };
    mount("lr", lineOption(yAxis(lrAxis), lr));
    csv.loss = function () {
      var rows = [["run", "split", "epoch", "loss"]];
      runs.forEach(function (run) {
        [["train", run.train], ["val", run.val]].forEach(function (s) {
          pairs(s[1], "epoch", "loss").forEach(function (p) { rows.push([run.name, s[0], p[0], p[1]]); });
        });
      });
      return rows;
    };
    csv.acc1 = function () {
      var rows = [["run", "split", "epoch", "acc1", "acc5"]];
      runs.forEach(function (run) {
        [["train", run.train], ["val", run.val]].forEach(function (s) {
          var e = index(s[1], "epoch"), a1 = index(s[1], "acc1"), a5 = index(s[1], "acc5");
          s[1].rows.forEach(function (r) { rows.push([run.name, s[0], r[e], r[a1], r[a5]]); });
        });
      });
      return rows;
    };
    csv.lr = function () {
      var rows = [["run", "epoch", "lr"]];
      runs.forEach(function (run) {
        pairs(run.train, "epoch", "lr").forEach(function (p) { rows.push([run.name, p[0], p[1]]); });
      });
      return rows;
    };
  }

  // --- gradient norm ratio per block ----------------------------------------------------------
  function transitions() {
    var seen = {};
    runs.forEach(function (run) { (run.model.transitions || []).forEach(function (t) { seen[t] = true; }); });
    return Object.keys(seen).map(Number).sort(function (a, b) { return a - b; });
  }

  function ratioAxes(maxBlock) {
    return {
      xAxis: { type: "value", name: "residual block", nameLocation: "middle", nameGap: 26, min: 1, max: Math.max(maxBlock, 2), minInterval: 1 },
      yAxis: yAxis({ type: "log", name: "gradient norm ratio", min: 0.1, max: 10, logBase: 10 })
    };
  }

  /** A series of its own (in no legend entry) that draws the transition blocks and the line at ratio 1. */
  function markers() {
    return {
      id: "marks", name: "transition blocks", type: "line", data: [], silent: true,
      markLine: {
        silent: true, symbol: "none", animation: false,
        label: { show: false },
        lineStyle: { color: "#888", type: "dotted", width: 1 },
        data: transitions().map(function (t) { return { xAxis: t }; }).concat([{ yAxis: 1, lineStyle: { color: "#bbb", type: "solid" } }])
      }
    };
  }

  function ratioOption(series, maxBlock) {
    var axes = ratioAxes(maxBlock);
    return {
      animation: false,
      grid: { left: 64, right: 18, top: 36, bottom: 42 },
      tooltip: tooltip("block"),
      legend: legend(),
      xAxis: axes.xAxis, yAxis: axes.yAxis, series: [markers()].concat(series)
    };
  }

  function checkpointCurves() {
    var series = [], maxBlock = 1;
    runs.forEach(function (run, i) {
      var n = run.checkpoints.length;
      run.checkpoints.forEach(function (cp, k) {
        var late = n === 1 ? 1 : k / (n - 1);
        var label = cp.label + (cp.epoch !== null && cp.label.indexOf("epoch" + cp.epoch) < 0 ? " (epoch " + cp.epoch + ")" : "");
        var points = pairs(cp, "block", "ratio");
        points.forEach(function (p) { maxBlock = Math.max(maxBlock, p[0]); });
        series.push(line(run.name + " " + label, points, i, k === n - 1 ? "solid" : "dashed", {
          lineStyle: { color: color(i), type: k === n - 1 ? "solid" : "dashed", width: 2, opacity: 0.35 + 0.65 * late },
          itemStyle: { color: color(i), opacity: 0.35 + 0.65 * late }
        }));
      });
    });
    mount("ratio-checkpoints", ratioOption(series, maxBlock));
    csv["ratio-checkpoints"] = function () {
      var rows = [["run", "checkpoint", "epoch"].concat(runs.length ? ["block", "stage", "transition", "in_norm", "out_norm", "ratio"] : [])];
      runs.forEach(function (run) {
        run.checkpoints.forEach(function (cp) {
          cp.rows.forEach(function (r) { rows.push([run.name, cp.label, cp.epoch === null ? "" : cp.epoch].concat(r)); });
        });
      });
      return rows;
    };
  }

  /** Per run: sorted iterations and, per iteration, its epoch and [block, ratio] points. */
  function recordings(run) {
    var t = run.gradnorm, it = index(t, "iteration"), ep = index(t, "epoch"), bl = index(t, "block"), ra = index(t, "ratio");
    var by = {};
    t.rows.forEach(function (r) {
      var key = r[it];
      if (!by[key]) { by[key] = { iteration: r[it], epoch: r[ep], points: [] }; }
      by[key].points.push([r[bl], r[ra]]);
    });
    return Object.keys(by).map(function (k) { return by[k]; })
      .sort(function (a, b) { return a.iteration - b.iteration; })
      .map(function (rec) { rec.points.sort(function (a, b) { return a[0] - b[0]; }); return rec; });
  }

  function tracked() {
    var withData = runs.map(function (run, i) { return { run: run, i: i, recs: run.gradnorm ? recordings(run) : [] }; })
      .filter(function (x) { return x.recs.length > 0; });
    var all = {};
    var maxBlock = 1;
    withData.forEach(function (x) {
      x.recs.forEach(function (rec) {
        all[rec.iteration] = true;
        rec.points.forEach(function (p) { maxBlock = Math.max(maxBlock, p[0]); });
      });
    });
    var iterations = Object.keys(all).map(Number).sort(function (a, b) { return a - b; });
    function latest(recs, t) {
      var found = null;
      recs.forEach(function (rec) { if (rec.iteration <= t) { found = rec; } });
      return found;
    }
    function series(t) {
      return withData.map(function (x) {
        var rec = latest(x.recs, t);
        return line(x.run.name + (rec ? " at iteration " + rec.iteration : ""), rec ? rec.points : [], x.i, "solid",
          { id: "tracked " + x.i });
      });
    }
    var chart = mount("ratio-tracked", ratioOption(series(iterations[iterations.length - 1]), maxBlock));
    var slider = document.getElementById("tracked-slider");
    var label = document.getElementById("tracked-label");
    function show(k) {
      var t = iterations[k];
      var epochs = withData.map(function (x) { var rec = latest(x.recs, t); return rec ? rec.epoch + 1 : null; })
        .filter(function (e) { return e !== null; });
      label.textContent = "iteration " + t + (epochs.length ? " (epoch " + Math.max.apply(null, epochs) + ")" : "")
        + ", " + (k + 1) + " of " + iterations.length;
      chart.setOption({ series: series(t) });
    }
    slider.max = String(iterations.length - 1);
    slider.value = String(iterations.length - 1);
    slider.addEventListener("input", function () { show(Number(slider.value)); });
    show(iterations.length - 1);
    csv["ratio-tracked"] = function () {
      var rows = [["run", "iteration", "epoch", "block", "ratio"]];
      withData.forEach(function (x) {
        x.recs.forEach(function (rec) {
          rec.points.forEach(function (p) { rows.push([x.run.name, rec.iteration, rec.epoch, p[0], p[1]]); });
        });
      });
      return rows;
    };
    withData.forEach(function (x) { heatMap(x.run, x.i, x.recs); });
  }

  function heatMap(run, i, recs) {
    var blocks = 0;
    recs.forEach(function (rec) { rec.points.forEach(function (p) { blocks = Math.max(blocks, p[0]); }); });
    var marked = {};
    (run.model.transitions || []).forEach(function (t) { marked[t] = true; });
    var cells = [];
    recs.forEach(function (rec, x) {
      rec.points.forEach(function (p) {
        var v = p[1] > 0 ? Math.log10(p[1]) : null;
        cells.push([x, p[0] - 1, v === null ? "-" : +v.toFixed(4), p[1]]);
      });
    });
    var ids = [];
    for (var b = 1; b <= blocks; b++) { ids.push(String(b)); }
    mount("heat-" + i, {
      animation: false,
      grid: { left: 50, right: 16, top: 26, bottom: 82 },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          var rec = recs[p.value[0]];
          return run.name + "<br>iteration " + rec.iteration + " (epoch " + (rec.epoch + 1) + ")<br>block " + (p.value[1] + 1)
            + (marked[p.value[1] + 1] ? " (transition)" : "") + "<br>ratio " + fmt(p.value[3]) + ", log10 " + p.value[2];
        }
      },
      xAxis: { type: "category", name: "iteration", nameLocation: "middle", nameGap: 26,
               data: recs.map(function (rec) { return String(rec.iteration); }) },
      yAxis: { type: "category", name: "block", nameLocation: "start", data: ids, inverse: true,
               axisLabel: { interval: 0, fontSize: 10, formatter: function (v) { return marked[v] ? "{t|" + v + "}" : v; },
                            rich: { t: { fontWeight: "bold", color: "#000", fontSize: 11 } } } },
      visualMap: { dimension: 2, min: -1, max: 1, calculable: true, orient: "horizontal", left: "center", bottom: 0, itemHeight: 180, itemWidth: 12,
                   formatter: function (v) { return "ratio " + fmt(Math.pow(10, v)); }, inRange: { color: ["#313695", "#f7f7f7", "#a50026"] } },
      series: [{ type: "heatmap", data: cells, name: run.name }]
    });
    csv["heat-" + i] = function () {
      var rows = [["run", "iteration", "epoch", "block", "ratio", "log10_ratio"]];
      recs.forEach(function (rec) {
        rec.points.forEach(function (p) { rows.push([run.name, rec.iteration, rec.epoch, p[0], p[1], p[1] > 0 ? Math.log10(p[1]) : ""]); });
      });
      return rows;
    };
  }

  // --- evaluations of `leno validate` (RUN/eval-*) ------------------------------------------------
  function evaluationNote(ev) {
    var s = ev.summary, pct = function (v) { return v === null ? "n/a" : Number(v).toFixed(2) + "%"; };
    return "Acc@1 " + pct(s.acc1) + ", Acc@5 " + pct(s.acc5) + ", loss " + fmt(s.loss) + ", macro F1 " + fmt(s.f1_macro)
      + ", balanced accuracy " + fmt(s.balanced_accuracy) + ", ECE " + fmt(s.ece) + " on " + s.images + " images"
      + (s.unreadable_images ? " (" + s.unreadable_images + " unreadable, left out)" : "")
      + (s.tta && s.tta !== "none" ? "; " + s.tta + " (" + (s.acc1_gain >= 0 ? "+" : "") + fmt(s.acc1_gain) + " points Acc@1 over the plain crop)" : "")
      + (s.data ? "; data " + s.data : "") + (s.weights ? "; weights " + s.weights : "") + ".";
  }

  function confusionChart(id, c) {
    var n = c.classes.length, cells = [];
    c.shares.forEach(function (row, r) {
      row.forEach(function (v, k) { cells.push([k, r, +v.toFixed(4), c.counts[r][k]]); });
    });
    mount(id, {
      animation: false,
      grid: { left: 130, right: 20, top: 16, bottom: 150 },
      tooltip: { trigger: "item", formatter: function (p) {
        return "actual " + escape(c.classes[p.value[1]]) + "<br>predicted " + escape(c.classes[p.value[0]]) + "<br>"
          + p.value[3] + " images, " + fmt(100 * p.value[2]) + "% of the row";
      } },
      xAxis: { type: "category", data: c.classes, name: "predicted", nameLocation: "middle", nameGap: 120,
               axisLabel: { interval: 0, rotate: 60, fontSize: n > 15 ? 9 : 11 } },
      yAxis: { type: "category", data: c.classes, inverse: true, axisLabel: { interval: 0, fontSize: n > 15 ? 9 : 11 } },
      visualMap: { min: 0, max: 1, dimension: 2, show: false, inRange: { color: ["#ffffff", "#6baed6", "#08306b"] } },
      series: [{ type: "heatmap", name: "share of the row", data: cells }]
    });
    csv[id] = function () {
      var rows = [["actual", "predicted", "count", "share_of_actual"]];
      cells.forEach(function (x) { rows.push([c.classes[x[1]], c.classes[x[0]], x[3], x[2]]); });
      return rows;
    };
  }

  function reliabilityChart(id, bins) {
    var filled = bins.filter(function (b) { return b.count > 0; });
    var total = bins.reduce(function (a, b) { return a + b.count; }, 0);
    mount(id, {
      animation: false,
      grid: { left: 64, right: 18, top: 36, bottom: 42 },
      legend: { top: 0 },
      tooltip: { trigger: "item", formatter: function (p) {
        var b = p.data.bin;
        return "confidence (" + fmt(b.lower) + ", " + fmt(b.upper) + "]<br>" + b.count + " images"
          + (b.count ? "<br>mean confidence " + fmt(b.confidence) + "<br>accuracy " + fmt(b.accuracy) : "");
      } },
      xAxis: { type: "value", min: 0, max: 1, name: "confidence (top-1 probability)", nameLocation: "middle", nameGap: 26 },
      yAxis: yAxis({ type: "value", min: 0, max: 1, name: "accuracy" }),
      series: [
        { type: "bar", name: "share of the images", barWidth: "70%", itemStyle: { color: "#ffbb78" },
          data: bins.map(function (b) { return { value: [(b.lower + b.upper) / 2, total ? b.count / total : 0], bin: b }; }) },
        { type: "line", name: "accuracy per bin", symbolSize: 7, itemStyle: { color: color(0) },
          data: filled.map(function (b) { return { value: [b.confidence, b.accuracy], bin: b }; }) },
        { type: "line", name: "perfect calibration", symbol: "none", silent: true, lineStyle: { color: "#999", type: "dashed" },
          data: [[0, 0], [1, 1]] }
      ]
    });
    csv[id] = function () {
      var rows = [["lower", "upper", "count", "confidence", "accuracy"]];
      bins.forEach(function (b) { rows.push([b.lower, b.upper, b.count, b.confidence, b.accuracy]); });
      return rows;
    };
  }

  /** The per-class table, sorted by a click on a heading (numbers by value, undefined last; a second click reverses). */
  function perClassTable(id, table) {
    var el = document.getElementById(id);
    var order = table.rows.slice(), by = 0, descending = false;
    function cell(v) { return v === null || v === undefined ? "" : typeof v === "number" ? String(fmt(v)) : escape(v); }
    function draw() {
      el.innerHTML = "<thead><tr>" + table.columns.map(function (c, k) {
        return "<th data-k=\"" + k + "\" aria-sort=\"" + (k === by ? (descending ? "descending" : "ascending") : "none") + "\">"
          + escape(c) + (k === by ? (descending ? " \u25bc" : " \u25b2") : "") + "</th>";
      }).join("") + "</tr></thead><tbody>" + order.map(function (r) {
        return "<tr>" + r.map(function (v) { return "<td>" + cell(v) + "</td>"; }).join("") + "</tr>";
      }).join("") + "</tbody>";
    }
    function sort(k) {
      descending = k === by ? !descending : false;
      by = k;
      order.sort(function (a, b) {
        var x = a[k], y = b[k];
        if (x === null || y === null) { return (x === null) - (y === null); }
        var d = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return descending ? -d : d;
      });
      draw();
    }
    el.addEventListener("click", function (e) {
      var th = e.target.closest("th");
      if (th) { sort(Number(th.getAttribute("data-k"))); }
    });
    draw();
    csv[id] = function () { return [table.columns].concat(order); };
    return sort;
  }

  var sorters = [];
  function evaluations() {
    runs.forEach(function (run, i) {
      (run.evaluations || []).forEach(function (ev, k) {
        var id = i + "-" + k;
        document.getElementById("evaluation-" + id).textContent = evaluationNote(ev);
        confusionChart("confusion-" + id, ev.confusion);
        reliabilityChart("reliability-" + id, ev.reliability);
        sorters.push({ id: "perclass-" + id, sort: perClassTable("perclass-" + id, ev.per_class), columns: ev.per_class.columns });
      });
    });
  }

  // --- summary table, CSV buttons, status -------------------------------------------------------
  function summary() {
    document.querySelectorAll("table.summary [data-run] .chip").forEach(function (chip) {
      chip.style.background = color(Number(chip.parentNode.getAttribute("data-run")));
    });
    // the flags that differ, but for those the first columns already hold
    var flags = data.differing_flags.filter(function (f) { return f !== "arch" && f !== "model_depth"; });
    csv.summary = function () {
      var head = ["run", "arch", "depth", "params", "macs", "macs_size"].concat(flags)
        .concat(["epochs", "best_acc1", "best_acc5", "best_epoch", "last_acc1", "last_acc5", "last_epoch",
                 "train_seconds", "val_seconds", "wall_seconds", "images_per_s"]);
      var rows = [head];
      runs.forEach(function (run) {
        var m = run.model, s = run.summary;
        rows.push([run.name, m.arch, m.depth, m.params, m.macs, m.macs_size]
          .concat(flags.map(function (f) { return run.flags[f] === undefined ? "" : run.flags[f]; }))
          .concat([s.epochs, s.best_acc1, s.best_acc5, s.best_epoch, s.last_acc1, s.last_acc5, s.last_epoch,
                   s.train_seconds, s.val_seconds, s.wall_seconds, s.images_per_s]));
      });
      return rows;
    };
  }

  function moveSlider() {
    var slider = document.getElementById("tracked-slider");
    if (!slider) { return null; }
    slider.value = "0";
    slider.dispatchEvent(new Event("input"));
    var points = charts["ratio-tracked"].getOption().series.filter(function (s) { return s.id !== "marks"; })
      .map(function (s) { return s.data.length; });
    return document.getElementById("tracked-label").textContent + "; points " + points.join(",");
  }


  step("summary", summary);
  step("curves", curves);
  step("evaluations", evaluations);
  if (runs.some(function (run) { return run.checkpoints.length > 0; })) { step("checkpoint curves", checkpointCurves); }
  if (runs.some(function (run) { return run.gradnorm && run.gradnorm.rows.length > 0; })) { step("tracked ratios", tracked); }
  /** Sorts every per-class table by F1, twice (descending), and checks the rows' order (undefined last). */
  function sortTables() {
    return sorters.map(function (t) {
      var k = t.columns.indexOf("f1");
      t.sort(k);
      t.sort(k);
      var cells = Array.prototype.map.call(document.querySelectorAll("#" + t.id + " tbody tr"), function (tr) {
        return tr.children[k].textContent === "" ? null : Number(tr.children[k].textContent);
      });
      var ok = cells.every(function (v, j) { return j === 0 || v === null || (cells[j - 1] !== null && v <= cells[j - 1]); });
      return t.id + " by f1 descending, " + cells.length + " rows, first " + cells[0] + (ok ? " ok" : " WRONG ORDER");
    });
  }

  P.finish(moveSlider, sortTables);
})();
