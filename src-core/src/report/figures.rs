//! The figures the workbench shows and the memo prints, as chart data built from the document
//! and its evaluation, so screen and paper draw the same series.

use crate::calc::break_even::{BreakEven, break_even};
use crate::calc::cache_break_even::{CacheBreakEven, CachePrices, cache_break_even};
use crate::calc::kv_sizing::KvShape;
use crate::calc::trace_to_margin::TraceToMargin;
use crate::case::cost::exact::card_pricing;
use crate::case::evaluation::Evaluation;
use crate::decide::tornado::Tornado;
use crate::decide::tornado::entry_label;
use crate::document::{RateCard, RatePricing, Workspace};
use crate::error::{InputError, InputResult};
use crate::evidence::joins::reconcile::FourSourceReconciliation;
use crate::evidence::loadtest::sweep::{Sweep, SweepPoint};
use crate::money;
use crate::report::chart::{
    Axis, Chart, ChartData, LineChart, LineSeries, Marker, NumberFormat, StackComponent,
    StackedBarChart, TornadoBar, TornadoChart, WaterfallChart, WaterfallStep, XyPoint,
};

const LCPR_FORMAT: NumberFormat = NumberFormat::Money { decimals: 4 };

/// LCPR per scenario as stacked bars of its components ($ per accepted output); `None` when
/// no scenario could be costed. Components that are zero everywhere are left out.
#[must_use]
pub fn compare_chart(eval: &Evaluation) -> Option<Chart> {
    let costed: Vec<_> = eval
        .scenarios
        .iter()
        .filter_map(|s| s.cost.as_ref().map(|c| (s, c)))
        .collect();
    if costed.is_empty() {
        return None;
    }
    let kinds = costed
        .first()
        .map(|(_, c)| c.components.entries().map(|(k, _)| k))?;
    let components: Vec<StackComponent> = kinds
        .iter()
        .enumerate()
        .map(|(i, kind)| StackComponent {
            name: kind.label().to_owned(),
            color: crate::report::chart::component_color(*kind),
            values: costed
                .iter()
                .map(|(_, c)| {
                    c.components
                        .entries()
                        .get(i)
                        .map_or(0.0, |(_, v)| money::to_f64(*v))
                        / c.accepted_units
                })
                .collect(),
        })
        .filter(|c| c.values.iter().any(|v| *v != 0.0))
        .collect();
    Some(Chart {
        title: "LCPR by route, split into its components".to_owned(),
        format: LCPR_FORMAT,
        data: ChartData::StackedBar(StackedBarChart {
            categories: costed.iter().map(|(s, _)| s.name.clone()).collect(),
            components,
            category_axis: Axis::new("Scenario", ""),
            value_axis: Axis::new("LCPR", "$ per accepted output"),
        }),
    })
}

/// A register tornado as a chart, bars labelled with the entries' labels; entries that do not
/// move this scenario's LCPR are named in `no_swing` rather than drawn as empty bars.
#[must_use]
pub fn tornado_chart(ws: &Workspace, scenario_name: &str, t: &Tornado) -> Chart {
    let (bars, flat): (Vec<TornadoBar>, Vec<TornadoBar>) = t
        .bars
        .iter()
        .map(|b| TornadoBar {
            label: entry_label(ws, &b.input),
            low: b.output_at_low,
            high: b.output_at_high,
        })
        .partition(|b| b.swing() > 0.0);
    Chart {
        title: format!("What moves LCPR for {scenario_name}"),
        format: LCPR_FORMAT,
        data: ChartData::Tornado(TornadoChart {
            base: t.base_output,
            bars,
            no_swing: flat.into_iter().map(|b| b.label).collect(),
            value_axis: Axis::new("LCPR", "$ per accepted output"),
            low_label: "At the entry's low".to_owned(),
            high_label: "At the entry's high".to_owned(),
        }),
    }
}

/// Daily cost against daily output volume for a token card and a GPU card, with the
/// crossover marked when there is one; the GPU line steps up a GPU at a time.
pub fn break_even_chart(
    token_card: &RateCard,
    gpu_card: &RateCard,
) -> InputResult<(BreakEven, Chart)> {
    let serverless = card_pricing(token_card)?;
    let dedicated = card_pricing(gpu_card)?;
    let be = break_even(&serverless, &dedicated)?;
    let capacity = be.effective_capacity_tokens_per_day;
    let reach = be
        .break_even_daily_output_tokens
        .unwrap_or(capacity)
        .max(capacity)
        * 2.5;
    let out_rate = money::to_f64(serverless.output_rate_per_m) / 1e6;
    const STEPS: usize = 200;
    let xs: Vec<f64> = (0..=STEPS)
        .map(|i| reach * i as f64 / STEPS as f64)
        .collect();
    let token_line = xs
        .iter()
        .map(|&x| XyPoint {
            x: x / 1e6,
            y: x * out_rate,
        })
        .collect();
    let gpu_line = xs
        .iter()
        .map(|&x| XyPoint {
            x: x / 1e6,
            y: (x / capacity).ceil().max(1.0) * be.dedicated_daily_cost,
        })
        .collect();
    let mut markers = Vec::new();
    if let (Some(v), Some(c)) = (
        be.break_even_daily_output_tokens,
        be.serverless_daily_cost_at_break_even,
    ) {
        markers.push(Marker {
            label: format!("Break-even {:.1}M tokens/day", v / 1e6),
            x: v / 1e6,
            y: Some(c),
        });
    }
    markers.push(Marker {
        label: "One GPU's capacity".to_owned(),
        x: capacity / 1e6,
        y: None,
    });
    let chart = Chart {
        title: format!(
            "Daily cost: {} vs {}",
            be.serverless_name, be.dedicated_name
        ),
        format: NumberFormat::Money { decimals: 0 },
        data: ChartData::Line(LineChart {
            x_axis: Axis::new("Output volume", "M tokens/day"),
            x_format: NumberFormat::Plain { decimals: 0 },
            y_axis: Axis::new("Daily cost", "$/day"),
            series: vec![
                LineSeries {
                    name: be.serverless_name.clone(),
                    points: token_line,
                },
                LineSeries {
                    name: be.dedicated_name.clone(),
                    points: gpu_line,
                },
            ],
            markers,
        }),
    };
    Ok((be, chart))
}

/// Cache write lifetimes a token card can price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheLifetime {
    /// Five-minute cache writes.
    FiveMinutes,
    /// One-hour cache writes.
    OneHour,
}

/// Cache savings against reuses for a prefix priced by a token card, with the break-even
/// count and the workload's measured reuse marked.
pub fn cache_chart(
    card: &RateCard,
    lifetime: CacheLifetime,
    prefix_tokens: f64,
    measured_reuse: Option<f64>,
) -> InputResult<(CacheBreakEven, Chart)> {
    let RatePricing::Tokens {
        input_per_m,
        cached_input_per_m,
        cache_write_5m_per_m,
        cache_write_1h_per_m,
        ..
    } = &card.pricing
    else {
        return Err(InputError::new(
            "rate_card",
            format!("{:?} has no token prices", card.id),
        ));
    };
    let write = match lifetime {
        CacheLifetime::FiveMinutes => cache_write_5m_per_m,
        CacheLifetime::OneHour => cache_write_1h_per_m,
    }
    .unwrap_or(*input_per_m);
    let prices = CachePrices {
        prefix_tokens: money::from_f64(prefix_tokens.round())
            .ok_or_else(|| InputError::new("prefix_tokens", "is not a number"))?,
        uncached_input_price_per_m: *input_per_m,
        cache_write_price_per_m: write,
        cache_read_price_per_m: cached_input_per_m.unwrap_or(*input_per_m),
        storage_price_per_m_hour: rust_decimal::Decimal::ZERO,
        storage_hours: rust_decimal::Decimal::ZERO,
    };
    let result = cache_break_even(&prices)?;
    let be = result.break_even_requests.map(money::to_f64);
    let reach = be
        .unwrap_or(5.0)
        .max(measured_reuse.unwrap_or(0.0))
        .max(5.0)
        .ceil() as u32
        * 2
        + 2;
    let points = (1..=reach)
        .map(|n| {
            prices.savings_at(n).map(|s| XyPoint {
                x: f64::from(n),
                y: money::to_f64(s),
            })
        })
        .collect::<InputResult<Vec<_>>>()?;
    let mut markers = Vec::new();
    if let Some(b) = be {
        markers.push(Marker {
            label: format!("Break-even {b:.2} requests"),
            x: b,
            y: Some(0.0),
        });
    }
    if let Some(r) = measured_reuse {
        markers.push(Marker {
            label: format!("Measured reuse {r:.1}"),
            x: r,
            y: None,
        });
    }
    let chart = Chart {
        title: format!(
            "Cache savings on a {:.0}-token prefix, {} {}",
            prefix_tokens, card.provider, card.model
        ),
        format: NumberFormat::Money { decimals: 4 },
        data: ChartData::Line(LineChart {
            x_axis: Axis::new("Requests using the prefix within its lifetime", "requests"),
            x_format: NumberFormat::Plain { decimals: 0 },
            y_axis: Axis::new("Savings over not caching", "$ per prefix lifetime"),
            series: vec![LineSeries {
                name: "Savings".to_owned(),
                points,
            }],
            markers,
        }),
    };
    Ok((result, chart))
}

/// Requests that reuse a cached prefix per write, from a hit rate h: one write then reads
/// until the next miss, 1 ÷ (1 − h) requests in all; `None` at h = 1 (never rewritten).
#[must_use]
pub fn measured_reuse(hit_rate: f64) -> Option<f64> {
    (hit_rate < 1.0).then(|| 1.0 / (1.0 - hit_rate))
}

/// Live sequences against context length for a model shape and KV pool.
pub fn kv_chart(shape: &KvShape, model_label: &str) -> InputResult<Chart> {
    shape.validate()?;
    let contexts = [
        1024.0, 2048.0, 4096.0, 8192.0, 16384.0, 32768.0, 65536.0, 131_072.0,
    ];
    let points = contexts
        .iter()
        .map(|&c| XyPoint {
            x: c / 1024.0,
            y: shape.live_sequences_at(c),
        })
        .collect();
    Ok(Chart {
        title: format!("Live sequences that fit: {model_label}"),
        format: NumberFormat::Plain { decimals: 0 },
        data: ChartData::Line(LineChart {
            x_axis: Axis::new("Context length", "K tokens"),
            x_format: NumberFormat::Plain { decimals: 0 },
            y_axis: Axis::new("Live sequences", "sequences"),
            series: vec![LineSeries {
                name: model_label.to_owned(),
                points,
            }],
            markers: vec![Marker {
                label: format!("Resident {:.0}K", shape.resident_tokens / 1024.0),
                x: shape.resident_tokens / 1024.0,
                y: Some(shape.live_sequences_at(shape.resident_tokens)),
            }],
        }),
    })
}

/// The waterfall from trace-derived cost to loaded cost.
#[must_use]
pub fn reconciliation_waterfall(title: &str, r: &TraceToMargin) -> Chart {
    let f = |d| money::to_f64(d);
    Chart {
        title: title.to_owned(),
        format: NumberFormat::Money { decimals: 0 },
        data: ChartData::Waterfall(WaterfallChart {
            start_label: "Trace cost".to_owned(),
            start: f(r.input.trace_cost),
            steps: vec![
                WaterfallStep {
                    label: "Invoice delta".to_owned(),
                    delta: f(r.delta),
                },
                WaterfallStep {
                    label: "Eval grading".to_owned(),
                    delta: f(r.input.eval_cost),
                },
                WaterfallStep {
                    label: "Human escalation".to_owned(),
                    delta: f(r.input.human_cost),
                },
                WaterfallStep {
                    label: "Operations".to_owned(),
                    delta: f(r.input.ops_cost),
                },
            ],
            end_label: "Loaded cost".to_owned(),
            value_axis: Axis::new("Cost", "$ per period"),
        }),
    }
}

/// Monthly cost per forecast scenario as a fan, one panel per scenario: the P10–P90 and
/// P25–P75 bands and the median, month by month, the months named `Month 1` … `Month N`.
#[must_use]
pub fn forecast_fan_chart(f: &crate::decide::forecast::Forecast) -> Chart {
    use crate::report::chart::{FanChart, FanPoint, FanSeries, TickLabel};
    let mut months: Vec<u32> = f
        .scenarios
        .iter()
        .flat_map(|s| s.monthly_cost.iter().map(|m| m.month))
        .collect();
    months.sort_unstable();
    months.dedup();
    Chart {
        title: "Monthly cost next quarter, by scenario".to_owned(),
        format: NumberFormat::Money { decimals: 0 },
        data: ChartData::Fan(FanChart {
            x_axis: Axis::new("Month of the quarter", ""),
            x_format: NumberFormat::Plain { decimals: 0 },
            y_axis: Axis::new("Monthly cost", "$/month"),
            series: f
                .scenarios
                .iter()
                .map(|s| FanSeries {
                    name: s.name.clone(),
                    points: s
                        .monthly_cost
                        .iter()
                        .map(|m| FanPoint {
                            x: f64::from(m.month),
                            p10: m.p10,
                            p25: m.p25,
                            p50: m.p50,
                            p75: m.p75,
                            p90: m.p90,
                        })
                        .collect(),
                })
                .collect(),
            markers: Vec::new(),
            x_ticks: months
                .into_iter()
                .map(|m| TickLabel {
                    x: f64::from(m),
                    label: format!("Month {m}"),
                })
                .collect(),
        }),
    }
}

/// Each scenario's simulated LCPR as a P10–P90 bar with its median, by scenario name in
/// document order (the palette's colours in that order); `None` for a run without scenarios.
#[must_use]
pub fn uncertainty_chart(
    sim: &crate::decide::monte_carlo::register::RegisterSimulation,
) -> Option<Chart> {
    use crate::report::chart::{RangeBar, RangeChart, series_color};
    if sim.scenarios.is_empty() {
        return None;
    }
    Some(Chart {
        title: "LCPR over the register's ranges, by scenario (P10–P90, median marked)".to_owned(),
        format: LCPR_FORMAT,
        data: ChartData::Range(RangeChart {
            bars: sim
                .scenarios
                .iter()
                .enumerate()
                .filter(|(_, s)| s.lcpr.p10.is_finite() && s.lcpr.p90.is_finite())
                .map(|(i, s)| RangeBar {
                    label: s.name.clone(),
                    p10: s.lcpr.p10,
                    p50: s.lcpr.p50,
                    p90: s.lcpr.p90,
                    color: series_color(i),
                })
                .collect(),
            value_axis: Axis::new("LCPR", "$ per accepted output"),
        }),
    })
}

/// P(row's LCPR is below column's) for every pair the run compared (scenarios of one
/// workload), by scenario name: each pair once, above the diagonal.
#[must_use]
pub fn beat_matrix(
    sim: &crate::decide::monte_carlo::register::RegisterSimulation,
) -> crate::report::chart::ProbabilityMatrix {
    let ids: Vec<&str> = sim.scenarios.iter().map(|s| s.scenario.as_str()).collect();
    let cells = ids
        .iter()
        .enumerate()
        .map(|(a, row)| {
            ids.iter()
                .enumerate()
                .map(|(b, col)| {
                    if b <= a {
                        return None;
                    }
                    sim.beats
                        .iter()
                        .find(|p| p.scenario == *row && p.versus == *col)
                        .map(|p| p.probability)
                })
                .collect()
        })
        .collect();
    crate::report::chart::ProbabilityMatrix {
        title: "Probability that the row's scenario has the lower LCPR than the column's"
            .to_owned(),
        names: sim.scenarios.iter().map(|s| s.name.clone()).collect(),
        cells,
    }
}

/// A workload's LCPR change from last month to this month, split into its five effects.
#[must_use]
pub fn review_waterfall(row: &crate::decide::monthly_review::ReviewRow) -> Chart {
    let e = &row.effects;
    Chart {
        title: format!("{}: LCPR last month to this month", row.workload),
        format: NumberFormat::Money { decimals: 4 },
        data: ChartData::Waterfall(WaterfallChart {
            start_label: "Last month".to_owned(),
            start: row.lcpr_last_month,
            steps: [
                ("Volume", e.volume),
                ("Token mix", e.token_mix),
                ("Cache", e.cache),
                ("Acceptance", e.acceptance),
                ("Price", e.price),
            ]
            .into_iter()
            .map(|(label, delta)| WaterfallStep {
                label: label.to_owned(),
                delta,
            })
            .collect(),
            end_label: "This month".to_owned(),
            value_axis: Axis::new("LCPR", "$ per accepted output"),
        }),
    }
}
/// Goodput and throughput against request rate, with the capacity ceiling and the operating
/// point marked (one marker when they coincide).
#[must_use]
pub fn sweep_chart(sweep: &Sweep, title: &str) -> Chart {
    let line = |name: &str, y: fn(&SweepPoint) -> f64| LineSeries {
        name: name.to_owned(),
        points: sweep
            .points
            .iter()
            .map(|p| XyPoint {
                x: p.request_rate,
                y: y(p),
            })
            .collect(),
    };
    let mut markers = Vec::new();
    let ceiling = sweep.capacity_ceiling.as_ref();
    let operating = sweep.operating_point.as_ref();
    match (ceiling, operating) {
        (Some(c), Some(o)) if o.request_rate == c.request_rate => markers.push(Marker {
            label: format!(
                "Operating point = capacity ceiling, {} req/s",
                c.request_rate
            ),
            x: c.request_rate,
            y: Some(c.goodput_rate),
        }),
        _ => {
            if let Some(c) = ceiling {
                markers.push(Marker {
                    label: format!("Capacity ceiling {} req/s", c.request_rate),
                    x: c.request_rate,
                    y: Some(c.goodput_rate),
                });
            }
            if let Some(o) = operating {
                markers.push(Marker {
                    label: format!("Operating point {} req/s", o.request_rate),
                    x: o.request_rate,
                    y: Some(o.goodput_rate),
                });
            }
        }
    }
    Chart {
        title: title.to_owned(),
        format: NumberFormat::Plain { decimals: 1 },
        data: ChartData::Line(LineChart {
            x_axis: Axis::new("Request rate", "req/s"),
            x_format: NumberFormat::Plain { decimals: 1 },
            y_axis: Axis::new("Requests per second", "req/s"),
            series: vec![
                line("Goodput (accepted)", |p| p.goodput_rate),
                line("Throughput (completed)", |p| p.throughput_rate),
            ],
            markers,
        }),
    }
}

/// Cost per accepted result against request rate, over the points that have one; `None` when
/// no point does.
#[must_use]
pub fn cost_per_accepted_chart(sweep: &Sweep, title: &str) -> Option<Chart> {
    let points: Vec<XyPoint> = sweep
        .points
        .iter()
        .filter_map(|p| {
            p.cost_per_accepted.map(|c| XyPoint {
                x: p.request_rate,
                y: money::to_f64(c),
            })
        })
        .collect();
    if points.is_empty() {
        return None;
    }
    let markers = sweep
        .operating_point
        .iter()
        .filter_map(|o| {
            o.cost_per_accepted.map(|c| Marker {
                label: format!("Operating point {} req/s", o.request_rate),
                x: o.request_rate,
                y: Some(money::to_f64(c)),
            })
        })
        .collect();
    Some(Chart {
        title: title.to_owned(),
        format: NumberFormat::Money { decimals: 4 },
        data: ChartData::Line(LineChart {
            x_axis: Axis::new("Request rate", "req/s"),
            x_format: NumberFormat::Plain { decimals: 1 },
            y_axis: Axis::new("Cost per accepted result", "$"),
            series: vec![LineSeries {
                name: "Cost per accepted result".to_owned(),
                points,
            }],
            markers,
        }),
    })
}

/// A four-source reconciliation's waterfall as a chart for the report and the workbench.
#[must_use]
pub fn four_source_waterfall(r: &FourSourceReconciliation, title: &str) -> Chart {
    Chart {
        title: title.to_owned(),
        format: NumberFormat::Money { decimals: 0 },
        data: ChartData::Waterfall(WaterfallChart {
            start_label: "Trace cost".to_owned(),
            start: money::to_f64(r.waterfall.start),
            steps: r
                .waterfall
                .steps
                .iter()
                .map(|s| WaterfallStep {
                    label: s.label.clone(),
                    delta: money::to_f64(s.amount),
                })
                .collect(),
            end_label: "Loaded cost".to_owned(),
            value_axis: Axis::new("Cost", "$ per period"),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tornado_names_the_entries_that_do_not_move_its_scenario_instead_of_drawing_them() {
        let ws = crate::report::memo::tests::example();
        let t = crate::decide::tornado::scenario_tornado(&ws, "support-h100-dedicated").unwrap();
        let chart = tornado_chart(&ws, "H100", &t);
        let ChartData::Tornado(c) = &chart.data else {
            panic!("a tornado")
        };
        assert!(c.bars.iter().all(|b| b.swing() > 0.0));
        // The serverless scenario's own pass rate cannot move the dedicated route's LCPR.
        assert!(
            c.no_swing
                .iter()
                .any(|l| l.contains("Quality gate pass rate on DeepSeek V4 Pro")),
            "{:?}",
            c.no_swing
        );
        assert_eq!(c.bars.len() + c.no_swing.len(), t.bars.len());
    }
}
