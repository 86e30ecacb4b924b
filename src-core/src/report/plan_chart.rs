//! The charts of a mix scenario's plan: the cost curve with the optimum marked, a cascade's
//! stage funnel, and the hourly demand with the reserved pool's capacity over it. The Plan view
//! draws them; the memo can too.

use crate::decide::plan::{CurvePoint, Plan};
use crate::money::{format_usd, to_f64};
use crate::report::chart::{
    Axis, Chart, ChartData, LineChart, LineSeries, Marker, NumberFormat, StackComponent,
    StackedBarChart, XyPoint,
};
use crate::report::memo::format::count;

/// A point in words: `LCPR $0.0898, $34,070.67 a month, 379,348 accepted`.
#[must_use]
pub fn point_text(p: &CurvePoint) -> String {
    format!(
        "LCPR {}, {} a month, {} accepted",
        format_usd(p.lcpr, 4),
        format_usd(to_f64(p.monthly_cost), 2),
        count(p.accepted)
    )
}

/// The optimum in one sentence, as `lcpr plan` and the Plan view state it.
#[must_use]
pub fn optimum_sentence(p: &Plan) -> String {
    match (&p.optimum, &p.optimum_label) {
        (Some(o), Some(label)) => format!("Optimum: {label}: {}", point_text(o)),
        _ => "Optimum: none: no point meets the quality floor and the latency SLO".to_owned(),
    }
}

/// A cascade's break-evens in sentences; empty for other shapes.
#[must_use]
pub fn break_even_sentences(p: &Plan) -> Vec<String> {
    let Some(b) = &p.break_even else {
        return Vec::new();
    };
    let pct = |v: f64| format!("{:.1}%", 100.0 * v);
    vec![
        format!(
            "Escalation rate today {}; all on {} costs {} per accepted output",
            pct(b.escalation_rate),
            b.versus_route,
            format_usd(b.versus_lcpr, 4)
        ),
        match b.break_even_escalation_rate {
            Some(e) => format!(
                "Break-even escalation rate: {}: above it the cascade costs more per accepted output than all on {}",
                pct(e),
                b.versus_route
            ),
            None => "Break-even escalation rate: none: the cascade is on the same side of all on the last route at every rate".to_owned(),
        },
        match b.required_judge_accuracy {
            Some(a) => format!("Judge accuracy needed at today's pass rates: {}", pct(a)),
            None => "Judge accuracy needed: none makes the cascade pay at today's pass rates"
                .to_owned(),
        },
    ]
}

/// LCPR over the plan's decision variable; the optimum, today's point and a cascade's
/// break-even marked, the single route it is compared with as a flat line.
#[must_use]
pub fn cost_curve_chart(p: &Plan) -> Chart {
    let gpus = p.unit == "GPUs";
    let scale = if gpus { 1.0 } else { 100.0 };
    let curve = LineSeries {
        name: format!("{} LCPR", p.name),
        points: p
            .points
            .iter()
            .map(|q| XyPoint {
                x: q.x * scale,
                y: q.lcpr,
            })
            .collect(),
    };
    let mut series = vec![curve];
    let mut markers = Vec::new();
    if let Some(be) = &p.break_even {
        let (lo, hi) = p
            .points
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), q| {
                (a.min(q.x), b.max(q.x))
            });
        if lo.is_finite() && hi.is_finite() {
            series.push(LineSeries {
                name: format!("all on {}", be.versus_route),
                points: vec![
                    XyPoint {
                        x: lo * scale,
                        y: be.versus_lcpr,
                    },
                    XyPoint {
                        x: hi * scale,
                        y: be.versus_lcpr,
                    },
                ],
            });
        }
        if let Some(e) = be.break_even_escalation_rate {
            markers.push(Marker {
                label: format!("Break-even {:.1}%", 100.0 * e),
                x: e * scale,
                y: Some(be.versus_lcpr),
            });
        }
    }
    let optimum_here = p.optimum.as_ref() == Some(&p.current);
    if p.current.x.is_finite() {
        markers.push(Marker {
            label: if optimum_here {
                "As it stands: the optimum".to_owned()
            } else {
                "As it stands".to_owned()
            },
            x: p.current.x * scale,
            y: Some(p.current.lcpr),
        });
    }
    if let Some(o) = &p.optimum
        && o.x.is_finite()
        && !optimum_here
    {
        markers.push(Marker {
            label: format!("Optimum {}", x_text(o.x, gpus)),
            x: o.x * scale,
            y: Some(o.lcpr),
        });
    }
    Chart {
        title: format!("LCPR against the {}", p.variable),
        format: NumberFormat::Money { decimals: 4 },
        data: ChartData::Line(LineChart {
            x_axis: Axis::new(capitalised(&p.variable), if gpus { "GPUs" } else { "%" }),
            x_format: NumberFormat::Plain { decimals: 0 },
            y_axis: Axis::new("LCPR", "$/accepted"),
            series,
            markers,
        }),
    }
}

fn x_text(x: f64, gpus: bool) -> String {
    if gpus {
        format!("{x} GPU{}", if x == 1.0 { "" } else { "s" })
    } else {
        format!("{:.0}%", 100.0 * x)
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Per part: requests accepted, escalated on, passed by mistake and failed outright.
#[must_use]
pub fn funnel_chart(p: &Plan) -> Chart {
    let categories = p
        .parts
        .iter()
        .map(|x| format!("{} ({})", x.role.label(), x.route))
        .collect();
    let of = |f: &dyn Fn(&crate::case::mix::MixPartCost) -> f64| p.parts.iter().map(f).collect();
    Chart {
        title: format!("Requests and accepted outputs by stage: {}", p.name),
        format: NumberFormat::Plain { decimals: 0 },
        data: ChartData::StackedBar(StackedBarChart {
            categories,
            components: vec![
                StackComponent {
                    name: "Accepted".into(),
                    color: crate::report::chart::STAGE_ACCEPTED,
                    values: of(&|x| x.accepted),
                },
                StackComponent {
                    name: "Escalated to the next stage".into(),
                    color: crate::report::chart::STAGE_ESCALATED,
                    values: of(&|x| x.escalated),
                },
                StackComponent {
                    name: "Passed by the judge, failed".into(),
                    color: crate::report::chart::STAGE_FALSE_ACCEPTED,
                    values: of(&|x| x.false_accepted),
                },
                StackComponent {
                    name: "Failed".into(),
                    color: crate::report::chart::STAGE_FAILED,
                    values: of(&|x| {
                        (x.requests - x.accepted - x.escalated - x.false_accepted).max(0.0)
                    }),
                },
            ],
            category_axis: Axis::new("Stage", ""),
            value_axis: Axis::new("Requests", "per month"),
        }),
    }
}

/// Requests per hour of the demand profile and the pool's capacity; `None` without a pool.
#[must_use]
pub fn demand_chart(p: &Plan) -> Option<Chart> {
    let f = p.pool.as_ref()?;
    let demand: Vec<XyPoint> = f
        .demand_per_hour
        .iter()
        .enumerate()
        .map(|(h, d)| XyPoint { x: h as f64, y: *d })
        .collect();
    let last = demand.len().saturating_sub(1) as f64;
    let mut series = vec![
        LineSeries {
            name: "Requests per hour".into(),
            points: demand,
        },
        LineSeries {
            name: format!("Reserved capacity ({})", x_text(f.gpus, true)),
            points: vec![
                XyPoint {
                    x: 0.0,
                    y: f.capacity_per_hour,
                },
                XyPoint {
                    x: last,
                    y: f.capacity_per_hour,
                },
            ],
        },
    ];
    if let Some(o) = &p.optimum
        && o.x != f.gpus
        && o.x.is_finite()
    {
        series.push(LineSeries {
            name: format!("Optimum capacity ({})", x_text(o.x, true)),
            points: vec![
                XyPoint {
                    x: 0.0,
                    y: o.x * f.requests_per_gpu_hour,
                },
                XyPoint {
                    x: last,
                    y: o.x * f.requests_per_gpu_hour,
                },
            ],
        });
    }
    Some(Chart {
        title: "Hourly demand and the reserved pool".into(),
        format: NumberFormat::Plain { decimals: 0 },
        data: ChartData::Line(LineChart {
            x_axis: Axis::new(
                "Hour",
                if last > 24.0 {
                    "of the week"
                } else {
                    "of the day"
                },
            ),
            x_format: NumberFormat::Plain { decimals: 0 },
            y_axis: Axis::new("Requests", "per hour"),
            series,
            markers: Vec::new(),
        }),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_plan_charts_are_valid_and_mark_the_optimum() {
        let ws = crate::case::mix::tests::flat();
        for id in ["cascade", "split", "pool"] {
            let p = crate::decide::plan::plan(&ws, id).unwrap();
            let curve = cost_curve_chart(&p);
            curve.validate().unwrap();
            let ChartData::Line(l) = &curve.data else {
                panic!("line")
            };
            assert!(
                l.markers
                    .iter()
                    .any(|m| m.label.starts_with("Optimum") || m.label.ends_with("the optimum"))
                    || id == "cascade",
                "{id}"
            );
            funnel_chart(&p).validate().unwrap();
        }
        let p = crate::decide::plan::plan(&ws, "pool").unwrap();
        let d = demand_chart(&p).unwrap();
        d.validate().unwrap();
        let ChartData::Line(l) = &d.data else {
            panic!("line")
        };
        assert_eq!(l.series[0].points.len(), 24);
        assert!(demand_chart(&crate::decide::plan::plan(&ws, "split").unwrap()).is_none());
    }
}
