// Draws a comparison's charts from the inlined data (#leno-data): per (arch, depth) the mean over seeds
// with an sd band and every seed's last point, and the gradient norm ratios per depth. page.js (inlined
// before this) wires the CSV buttons and writes the status that scripts/browser_check.sh reads.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("leno-data").textContent);
  var P = LenoPage, csv = P.csv, color = P.color, fmt = P.fmt, escape = P.escape;
  var summary = data.summary, groups = summary.groups, models = data.models;

  function runsOf(g) {
    return summary.runs.filter(function (r) { return r.arch === g.arch && r.depth === g.depth && r.complete; });
  }

  function tooltip(xName) {
    return {
      trigger: "axis",
      formatter: function (params) {
        var shown = params.filter(function (p) { return p.seriesType !== "custom" && p.value; });
        if (!shown.length) { return ""; }
        return [escape(xName) + " " + fmt(params[0].axisValue)].concat(shown.map(function (p) {
          return p.marker + escape(p.data && p.data.tip || p.seriesName) + ": <b>" + fmt(p.value[1]) + "</b>";
        })).join("<br>");
      }
    };
  }

  function legend(names) {
    return { type: "scroll", top: 0, left: 0, right: 0, data: names.map(function (n) { return n.name; }) };
  }

  function line(name, tip, points, i, style, id) {
    return {
      id: id, name: name, type: "line", symbol: "circle", symbolSize: 5, z: 3,
      data: points.map(function (p) { return { value: p, tip: tip }; }),
      lineStyle: { color: color(i), type: style, width: 2 }, itemStyle: { color: color(i) }
    };
  }

  /** The area between two curves (points [x, y]), drawn as one polygon. */
  function band(name, upper, lower, i, id) {
    var points = upper.concat(lower.slice().reverse());
    return {
      id: id, name: name, type: "custom", silent: true, clip: true, z: 1, data: points, encode: { x: 0, y: 1 },
      renderItem: function (params, api) {
        if (params.dataIndex !== 0) { return null; }
        return { type: "polygon", shape: { points: points.map(function (p) { return api.coord(p); }) },
                 style: { fill: color(i), opacity: 0.15 } };
      }
    };
  }

  function valueAxes(xName, yName, yType, extra) {
    return {
      xAxis: { type: "value", name: xName, nameLocation: "middle", nameGap: 26, minInterval: 1, scale: true },
      yAxis: P.yAxis(Object.assign({ type: yType, name: yName, scale: true }, extra || {}))
    };
  }

  // --- mean curves with sd bands and each seed's last point -----------------------------------------
  /** key: "val_acc1" or "train_loss"; last: the run's key of its last-epoch value. */
  function meanChart(id, key, last, yName) {
    var series = [], points = [];
    groups.forEach(function (g, i) {
      var rows = g.per_epoch.filter(function (e) { return e[key].mean !== null; });
      series.push(line(g.name, g.name + " mean (" + g.n + " seeds)", rows.map(function (e) { return [e.epoch, e[key].mean]; }), i,
        "solid", "mean " + i));
    });
    groups.forEach(function (g, i) {
      var rows = g.per_epoch.filter(function (e) { return e[key].sd !== null; });
      if (rows.length) {
        series.push(band(g.name, rows.map(function (e) { return [e.epoch, e[key].mean + e[key].sd]; }),
          rows.map(function (e) { return [e.epoch, e[key].mean - e[key].sd]; }), i, "band " + i));
      }
      var runs = runsOf(g).filter(function (r) { return r[last] !== null; });
      var spread = 0.06 * groups.length;
      var data = runs.map(function (r, k) {
        var x = summary.epochs + (i - (groups.length - 1) / 2) * spread / Math.max(1, groups.length - 1) + (k - (runs.length - 1) / 2) * 0.015;
        points.push([g.name, r.seed, r[last]]);
        return { value: [x, r[last]], tip: g.name + " seed " + r.seed };
      });
      series.push({ id: "seeds " + i, name: g.name, type: "scatter", symbol: "diamond", symbolSize: 9, z: 4, data: data,
                    itemStyle: { color: color(i), borderColor: "#222", borderWidth: 0.6 } });
    });
    var axes = valueAxes("epoch", yName, "value");
    Object.assign(axes.xAxis, { min: 1, max: summary.epochs + 0.4, scale: false,
                                axisLabel: { formatter: function (v) { return Number.isInteger(v) ? String(v) : ""; } } });
    P.mount(id, { animation: false, grid: { left: 64, right: 18, top: 36, bottom: 42 }, tooltip: tooltip("epoch"),
                  legend: legend(groups), xAxis: axes.xAxis, yAxis: axes.yAxis, series: series });
    csv[id] = function () {
      var rows = [["architecture", "what", "epoch", "n", "value"]];
      groups.forEach(function (g) {
        g.per_epoch.forEach(function (e) {
          rows.push([g.name, "mean", e.epoch, e[key].n, e[key].mean]);
          rows.push([g.name, "sd", e.epoch, e[key].n, e[key].sd]);
        });
      });
      points.forEach(function (p) { rows.push([p[0], "seed " + p[1], summary.epochs, 1, p[2]]); });
      return rows;
    };
  }

  // --- gradient norm ratios per depth -----------------------------------------------------------------
  function ratioChart(depth) {
    var series = [], maxBlock = 2, marks = {}, names = [];
    var curves = [["init", "dotted", "at init"], ["checkpoint_epoch1", "dashed", "after epoch 1"], ["model_best", "solid", "best"]];
    groups.forEach(function (g, i) {
      if (g.depth !== depth) { return; }
      var ratios = models[i].ratios;
      (models[i].transitions || []).forEach(function (t) { marks[t] = true; });
      names.push(g);
      curves.forEach(function (c) {
        var r = ratios[c[0]];
        if (!r) { return; }
        var points = r.rows.map(function (row) { maxBlock = Math.max(maxBlock, row[0]); return [row[0], row[1]]; });
        series.push(line(g.name, g.name + " " + c[2] + " (" + r.n + " seeds)", points, i, c[1], "ratio " + c[0] + " " + i));
      });
      if (ratios.init) {
        series.push(band(g.name, ratios.init.rows.map(function (row) { return [row[0], row[3]]; }),
          ratios.init.rows.map(function (row) { return [row[0], row[2]]; }), i, "init band " + i));
      }
    });
    series.push({
      id: "marks", name: "transition blocks", type: "line", data: [], silent: true,
      markLine: { silent: true, symbol: "none", animation: false, label: { show: false },
                  lineStyle: { color: "#888", type: "dotted", width: 1 },
                  data: Object.keys(marks).map(function (t) { return { xAxis: Number(t) }; })
                    .concat([{ yAxis: 1, lineStyle: { color: "#bbb", type: "solid" } }]) }
    });
    P.mount("ratio-" + depth, {
      animation: false, grid: { left: 64, right: 18, top: 36, bottom: 42 }, tooltip: tooltip("block"), legend: legend(names),
      xAxis: { type: "value", name: "residual block", nameLocation: "middle", nameGap: 26, min: 1, max: maxBlock, minInterval: 1 },
      yAxis: P.yAxis({ type: "log", name: "gradient norm ratio", min: 0.1, max: 10, logBase: 10 }),
      series: series
    });
    csv["ratio-" + depth] = function () {
      var rows = [["architecture", "curve", "seeds", "block", "geometric_mean", "min", "max"]];
      names.forEach(function (g) {
        var ratios = models[groups.indexOf(g)].ratios;
        Object.keys(ratios).forEach(function (label) {
          ratios[label].rows.forEach(function (row) { rows.push([g.name, label, ratios[label].n].concat(row)); });
        });
      });
      return rows;
    };
  }

  // --- the tables' CSV --------------------------------------------------------------------------------
  function tables() {
    csv.differences = function () {
      var keys = ["depth", "arch", "baseline", "quantity", "n", "mean", "sd", "ci_low", "ci_high", "won", "lost", "tied", "note"];
      return [keys.concat(["seeds"])].concat(summary.differences.map(function (d) {
        return keys.map(function (k) { return d[k]; }).concat([d.seeds.join(" ")]);
      }));
    };
    csv.groups = function () {
      var rows = [["arch", "depth", "seeds", "incomplete_seeds", "quantity", "n", "mean", "sd"]];
      groups.forEach(function (g) {
        ["best_val_acc1", "last_val_acc1", "final_train_loss"].forEach(function (q) {
          rows.push([g.arch, g.depth, g.seeds.join(" "), g.incomplete_seeds.join(" "), q, g[q].n, g[q].mean, g[q].sd]);
        });
      });
      return rows;
    };
    if (data.per_class) {
      csv["per-class"] = function () { return [data.per_class.columns].concat(data.per_class.rows); };
    }
    csv.runs = function () {
      return [["arch", "depth", "seed", "complete", "problem", "best_val_acc1", "last_val_acc1", "final_train_loss", "folder"]]
        .concat(summary.runs.map(function (r) {
          return [r.arch, r.depth, r.seed, r.complete, r.problem, r.best_val_acc1, r.last_val_acc1, r.final_train_loss, r.folder];
        }));
    };
  }

  P.step("tables", tables);
  P.step("val Acc@1", function () { meanChart("acc1", "val_acc1", "last_val_acc1", "val Acc@1 (%)"); });
  P.step("train loss", function () { meanChart("loss", "train_loss", "final_train_loss", "train loss"); });
  Array.prototype.forEach.call(document.querySelectorAll(".chart[id^='chart-ratio-']"), function (el) {
    var depth = Number(el.id.replace("chart-ratio-", ""));
    P.step("ratios " + depth, function () { ratioChart(depth); });
  });
  P.finish(null);
})();
