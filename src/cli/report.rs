//! The evaluation report shared by `eval` and `compare`: a metrics table per system,
//! paired comparisons with significance tests, and per-query differences.

use spladescope::display::visible;
use std::io::Write;

use serde::Serialize;

use spladescope::eval::{compare, Comparison, Evaluation, Metric, RandomizationOptions};
use spladescope::search::SparsityCost;

/// One evaluated system.
pub struct SystemEval {
    pub name: String,
    pub description: String,
    pub evaluation: Evaluation,
    pub run_file: Option<String>,
    /// What a SPLADE system's queries cost (`eval` only).
    pub cost: Option<SparsityCost>,
}

#[derive(Serialize)]
struct SystemOut<'a> {
    name: &'a str,
    description: &'a str,
    queries: usize,
    metrics: std::collections::BTreeMap<&'static str, f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run_file: &'a Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost: Option<SparsityCost>,
}

#[derive(Serialize)]
struct PairOut<'a> {
    a: &'a str,
    b: &'a str,
    #[serde(flatten)]
    comparison: Comparison,
}

#[derive(Serialize)]
struct QueryOut<'a> {
    id: &'a str,
    text: &'a str,
    ndcg_at_10: Vec<f64>,
}

#[derive(Serialize)]
struct ReportOut<'a> {
    title: &'a str,
    metric_for_pairs: &'static str,
    systems: Vec<SystemOut<'a>>,
    pairs: Vec<PairOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    per_query: Option<Vec<QueryOut<'a>>>,
    notes: &'a [String],
}

/// What to report and how.
pub struct Report {
    pub title: String,
    /// The first is the baseline the others are tested against.
    pub systems: Vec<SystemEval>,
    pub notes: Vec<String>,
    /// List every query (`--per-query`).
    pub per_query: bool,
    pub randomization: RandomizationOptions,
    pub json: bool,
}

/// Prints the report as text or JSON. `texts` gives a query's text for `--per-query`.
pub fn print(
    out: &mut impl Write,
    report: &Report,
    texts: &dyn Fn(&str) -> String,
) -> anyhow::Result<()> {
    let Report {
        title,
        systems,
        notes,
        per_query,
        randomization,
        json,
    } = report;
    let (title, per_query, json) = (title.as_str(), *per_query, *json);
    let metric = Metric::Ndcg10;
    // The first system is the baseline: every other is tested against it.
    let mut pairs = Vec::new();
    for other in systems.iter().skip(1) {
        let c = compare(
            &systems[0].evaluation,
            &other.evaluation,
            metric,
            randomization,
        )?;
        pairs.push(PairOut {
            a: &systems[0].name,
            b: &other.name,
            comparison: c,
        });
    }
    let ids: Vec<&str> = systems
        .first()
        .map(|s| s.evaluation.per_query.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let query_rows = per_query.then(|| {
        let mut rows: Vec<(&str, String, Vec<f64>)> = ids
            .iter()
            .map(|&id| {
                let v = systems
                    .iter()
                    .map(|s| {
                        s.evaluation
                            .per_query
                            .get(id)
                            .map_or(0.0, |q| q.values.get(metric))
                    })
                    .collect();
                (id, texts(id), v)
            })
            .collect();
        // Largest difference between the first two systems first (A − B descending).
        rows.sort_by(|a, b| {
            let d = |r: &(&str, String, Vec<f64>)| {
                r.2.first().unwrap_or(&0.0) - r.2.get(1).unwrap_or(&0.0)
            };
            d(b).total_cmp(&d(a))
                .then_with(|| spladescope::eval::natural_cmp(a.0, b.0))
        });
        rows
    });
    if json {
        let out_report = ReportOut {
            title,
            metric_for_pairs: metric.name(),
            systems: systems
                .iter()
                .map(|s| SystemOut {
                    name: &s.name,
                    description: &s.description,
                    queries: s.evaluation.per_query.len(),
                    metrics: Metric::ALL
                        .iter()
                        .map(|&m| (m.name(), s.evaluation.mean(m)))
                        .collect(),
                    run_file: &s.run_file,
                    cost: s.cost,
                })
                .collect(),
            pairs,
            per_query: query_rows.as_ref().map(|rows| {
                rows.iter()
                    .map(|(id, text, v)| QueryOut {
                        id,
                        text,
                        ndcg_at_10: v.clone(),
                    })
                    .collect()
            }),
            notes,
        };
        serde_json::to_writer(&mut *out, &out_report)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "{}", visible(title))?;
    for n in notes {
        writeln!(out, "  note: {}", visible(n))?;
    }
    let width = systems
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(6)
        .max(6);
    write!(out, "\n{:<width$}", "system")?;
    for m in Metric::ALL {
        write!(out, " {:>9}", m.name())?;
    }
    writeln!(out, "  queries")?;
    for s in systems {
        write!(out, "{:<width$}", s.name)?;
        for m in Metric::ALL {
            write!(out, " {:>9.4}", s.evaluation.mean(m))?;
        }
        writeln!(
            out,
            "  {:>7}  {}",
            s.evaluation.per_query.len(),
            s.description
        )?;
    }
    cost_table(out, systems, width)?;
    if !pairs.is_empty() {
        writeln!(
            out,
            "\npaired on {} ({} randomization trials, seed {:#x})",
            metric.name(),
            randomization.trials,
            randomization.seed
        )?;
        writeln!(
            out,
            "{:<w2$}  {:>9}  {:>16}  {:>10}  {:>15}",
            "A vs B",
            "Δ mean",
            "wins/ties/losses",
            "t-test p",
            "randomization p",
            w2 = 2 * width + 4
        )?;
        for p in &pairs {
            let c = &p.comparison;
            let t = c.t_test.map_or("–".into(), |t| format!("{:.4}", t.p_value));
            let r = c
                .randomization
                .map_or("–".into(), |r| format!("{:.4}", r.p_value));
            let wtl = format!(
                "{}/{}/{}",
                c.win_tie_loss.wins, c.win_tie_loss.ties, c.win_tie_loss.losses
            );
            writeln!(
                out,
                "{:<w2$}  {:>+9.4}  {:>16}  {:>10}  {:>15}",
                format!("{} vs {}", p.a, p.b),
                c.mean_diff,
                wtl,
                t,
                r,
                w2 = 2 * width + 4
            )?;
        }
    }
    if let Some(rows) = &query_rows {
        let names: Vec<&str> = systems.iter().map(|s| s.name.as_str()).collect();
        writeln!(
            out,
            "\nper query {} ({}), by {} − {} descending",
            metric.name(),
            names.join(", "),
            names[0],
            names.get(1).unwrap_or(&"")
        )?;
        for (id, text, v) in rows {
            let values: Vec<String> = v.iter().map(|x| format!("{x:.4}")).collect();
            let delta = v.first().unwrap_or(&0.0) - v.get(1).unwrap_or(&0.0);
            writeln!(
                out,
                "  {:<12} {}  {:>+8.4}  {}",
                visible(id),
                values.join("  "),
                delta,
                super::output::snippet(text, 70)
            )?;
        }
    }
    Ok(())
}

/// The cost of sparsity of each SPLADE system ([`SparsityCost`]), when there is one.
fn cost_table(out: &mut impl Write, systems: &[SystemEval], width: usize) -> std::io::Result<()> {
    if systems.iter().all(|s| s.cost.is_none()) {
        return Ok(());
    }
    writeln!(
        out,
        "\ncost of sparsity (means per query; postings/q: postings of the query's terms; \
         FLOPS: Σ_t p_query(t)·p_doc(t), multiply-adds per query–document pair)"
    )?;
    writeln!(
        out,
        "{:<width$} {:>9} {:>12} {:>9} {:>9} {:>9} {:>14} {:>9}",
        "system",
        "query nnz",
        "postings/q",
        "FLOPS",
        "ms/query",
        "doc nnz",
        "index postings",
        "SPLADE MiB"
    )?;
    for s in systems {
        let Some(c) = &s.cost else { continue };
        writeln!(
            out,
            "{:<width$} {:>9.1} {:>12.0} {:>9.3} {:>9.3} {:>9.1} {:>14} {:>10.1}",
            s.name,
            c.query_nonzeros,
            c.postings_touched,
            c.flops,
            c.search_ms,
            c.doc_nonzeros,
            c.index_postings,
            c.splade_bytes as f64 / (1u64 << 20) as f64,
        )?;
    }
    Ok(())
}
