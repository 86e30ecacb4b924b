//! The glossary: every term the workbench shows, in a sentence or two, with its formula where
//! it has one. The window's hover text, `lcpr glossary` and the memo's glossary page all read
//! this one list, so a term means the same wherever it appears.

use serde::Serialize;

/// One term.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Term {
    /// The term as labels write it.
    pub name: &'static str,
    /// Other spellings a label may use (matched like the name).
    pub aliases: &'static [&'static str],
    /// What it means.
    pub meaning: &'static str,
    /// How it is computed, when it is.
    pub formula: Option<&'static str>,
}

impl Term {
    /// The meaning and, on its own line, the formula: the hover text of a label.
    #[must_use]
    pub fn text(&self) -> String {
        match self.formula {
            Some(f) => format!("{}: {}\n{f}", self.name, self.meaning),
            None => format!("{}: {}", self.name, self.meaning),
        }
    }
}

const fn term(
    name: &'static str,
    aliases: &'static [&'static str],
    meaning: &'static str,
    formula: Option<&'static str>,
) -> Term {
    Term {
        name,
        aliases,
        meaning,
        formula,
    }
}

/// Every term, alphabetically.
pub const TERMS: &[Term] = &[
    term(
        "Accepted output",
        &[
            "accepted result",
            "accepted unit",
            "accepted share",
            "acceptance rate",
        ],
        "A result that passed the quality gate and was used: the denominator of LCPR. Requests \
         that were retried, rejected or abandoned are not in it.",
        Some("accepted outputs = requests × gate pass rate × the route's quality score"),
    ),
    term(
        "Baseline",
        &[],
        "A dated snapshot of a workload measured from production traces: volume, token shape, \
         cache hits, retries, gate results and latency. The modelled case is checked against it.",
        None,
    ),
    term(
        "Batch lane",
        &["batch eligible", "batchable share"],
        "The share of requests that can wait hours for an answer and so can be sent at a \
         provider's discounted batch price or run in idle GPU hours.",
        None,
    ),
    term(
        "Break-even",
        &[],
        "The value of an input at which two routes cost the same per accepted output; beyond it \
         the other route is cheaper.",
        None,
    ),
    term(
        "Cache hit rate",
        &["prefix cache", "cache hit"],
        "The share of the stable prefix read from the provider's prompt cache instead of being \
         processed again. Cached tokens are billed at the cached-input price.",
        Some("input cost = S × (h × P_hit + (1 − h) × P_miss) + D × P_miss"),
    ),
    term(
        "Cascade",
        &["fallback share", "escalates"],
        "A mix in which a cheaper route answers first and a judge sends the answers it rejects \
         to a stronger route; the fallback share is what reaches the second stage.",
        Some("cost per request = first stage + judge + fallback share × second stage"),
    ),
    term(
        "Dynamic tail",
        &[],
        "The part of each prompt that changes from request to request (the user's message, \
         retrieved passages); it is never served from the cache.",
        None,
    ),
    term(
        "Escalation rate",
        &["human escalation", "escalated"],
        "The share of requests sent to a person, each at the cost per escalated case. On \
         quality-sensitive workloads it is often the largest part of LCPR.",
        None,
    ),
    term(
        "Eval grading",
        &["grader", "eval sample"],
        "The cost of grading a sample of outputs (a model or a person as judge) to keep the \
         quality gate's pass rate measured.",
        Some("eval cost = requests × sample rate × cost per eval"),
    ),
    term(
        "Evidence status",
        &[
            "evidence",
            "measured in logs",
            "load tested",
            "invoice reconciled",
            "assumed",
        ],
        "How well an input is known: measured in logs, load tested, invoice reconciled, contract \
         confirmed, estimated, assumed or stale. A decision on assumed inputs says so.",
        None,
    ),
    term(
        "Goodput",
        &[],
        "Requests per second that meet every service level (TTFT, TPOT) and pass the quality \
         gate, at a given load. Peak throughput is a hardware figure; goodput is what can be \
         sold.",
        Some("goodput = rate × share of requests within every SLO and accepted"),
    ),
    term(
        "Invoice delta",
        &["invoice", "reconciled"],
        "What the provider billed minus what the traces say the requests cost at the contracted \
         rates. A reconciled LCPR includes it.",
        None,
    ),
    term(
        "KV cache",
        &["kv pool", "kv heads"],
        "GPU memory holding each running sequence's attention keys and values. It bounds how \
         many sequences of a given context a replica can hold at once.",
        Some("bytes per token = 2 × layers × KV heads × head dimension × bytes per element"),
    ),
    term(
        "LCPR",
        &["loaded cost per accepted result"],
        "Loaded cost per accepted result: everything it costs to produce the outputs that are \
         accepted, divided by how many there are. Price per million tokens is one input to it.",
        Some(
            "LCPR = (inference + eval grading + human escalation + operations + invoice delta) \
             ÷ accepted outputs",
        ),
    ),
    term(
        "Monte Carlo",
        &["draws", "simulation"],
        "Draws every register input from its range many times and costs each draw, giving a \
         spread of LCPR instead of one figure.",
        None,
    ),
    term(
        "P(A beats B)",
        &["beats", "probability"],
        "The share of Monte Carlo draws in which route A's LCPR is lower than route B's, with \
         both costed on the same draw of every shared input.",
        None,
    ),
    term(
        "P10 / P50 / P90",
        &["P10", "P50", "P90", "median"],
        "Percentiles of the simulated LCPR: one draw in ten is below P10, half below P50 (the \
         median), nine in ten below P90.",
        None,
    ),
    term(
        "Peak ÷ mean load",
        &["peak to mean", "demand shape"],
        "The busiest hour's load over the average hour's. Reserved capacity is sized for the \
         peak and paid for every hour.",
        None,
    ),
    term(
        "Prefill efficiency",
        &["prefill"],
        "How much of an input token's compute a GPU route spends relative to an output token; \
         it turns input tokens into the capacity they use.",
        None,
    ),
    term(
        "Quality gate",
        &["gate pass rate", "quality floor", "pass rate"],
        "The automatic check an output must pass to be accepted; the pass rate is the share that \
         does. Failures are repaired, retried or escalated.",
        None,
    ),
    term(
        "Register",
        &["assumption register", "register entry"],
        "The list of inputs that matter, each with its value, low and high, evidence status, \
         owner and source. Sensitivity and Monte Carlo vary these.",
        None,
    ),
    term(
        "Reserved + overflow",
        &["reserved pool", "overflow"],
        "A mix in which a fixed pool of GPUs serves demand up to its capacity and the rest goes \
         to a per-token route.",
        None,
    ),
    term(
        "Retry rate",
        &["retries", "retry"],
        "Extra attempts per request (timeouts, errors, client retries), each billed like the \
         first.",
        Some("attempts = requests × (1 + retry rate)"),
    ),
    term(
        "Stable prefix",
        &["prefix"],
        "The part of each prompt that repeats across requests (system prompt, tools, fixed \
         context); only it can be served from the prompt cache.",
        None,
    ),
    term(
        "Swing",
        &["tornado", "lever"],
        "How far LCPR moves when one register input goes from its low to its high with every \
         other input held; the tornado ranks inputs by it.",
        Some("swing = |LCPR(high) − LCPR(low)|"),
    ),
    term(
        "TPOT",
        &["time per output token"],
        "Time per output token: the average gap between streamed tokens after the first, in \
         milliseconds.",
        Some("TPOT = (end-to-end latency − TTFT) ÷ (output tokens − 1)"),
    ),
    term(
        "Traffic split",
        &["split share", "split mix"],
        "A mix sending a fixed share of traffic to each of several routes.",
        None,
    ),
    term(
        "TTFT",
        &["time to first token"],
        "Time to first token: from sending the request to receiving the first streamed token, \
         in milliseconds; mostly queueing and prefill.",
        None,
    ),
    term(
        "Utilization",
        &["utilisation", "busy"],
        "The share of paid GPU time doing useful work. Idle reserved hours cost the same as busy \
         ones, so low utilization raises LCPR on GPU routes.",
        Some("GPU cost per token = hourly rate ÷ (3600 × throughput × utilization)"),
    ),
];

/// `text` in lower case as single-spaced words between spaces, punctuation and line breaks
/// dropped, so spellings match as whole words wherever they fall.
fn words(text: &str) -> String {
    let spaced: String = text
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_whitespace() || "()[],:;.!?/\"'".contains(c) {
                ' '
            } else {
                c
            }
        })
        .collect();
    format!(
        " {} ",
        spaced.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// Where `text` mentions `spelling` as whole words, if it does.
fn position(text: &str, spelling: &str) -> Option<usize> {
    words(text).find(&words(spelling))
}

fn mentions(text: &str, spelling: &str) -> bool {
    position(text, spelling).is_some()
}

/// The term `label` is about: the one it mentions first as whole words, the longest spelling
/// at that place (so "Prefix cache hit rate" is the cache hit rate, not the prefix, and
/// "LCPR ($ per accepted output)" is LCPR).
#[must_use]
pub fn lookup(label: &str) -> Option<&'static Term> {
    TERMS
        .iter()
        .flat_map(|t| {
            std::iter::once(t.name)
                .chain(t.aliases.iter().copied())
                .map(move |s| (t, s))
        })
        .filter_map(|(t, s)| Some((t, position(label, s)?, s.len())))
        .min_by_key(|&(_, at, len)| (at, std::cmp::Reverse(len)))
        .map(|(t, _, _)| t)
}

/// The terms a text uses, in glossary order: the memo's glossary page lists these.
#[must_use]
pub fn used_in(text: &str) -> Vec<&'static Term> {
    TERMS
        .iter()
        .filter(|t| {
            std::iter::once(t.name)
                .chain(t.aliases.iter().copied())
                .any(|s| mentions(text, s))
        })
        .collect()
}

/// Terms whose name, aliases or meaning contain `query` (case-insensitive); all for an empty
/// query.
#[must_use]
pub fn search(query: &str) -> Vec<&'static Term> {
    let q = query.trim().to_lowercase();
    TERMS
        .iter()
        .filter(|t| {
            q.is_empty()
                || t.name.to_lowercase().contains(&q)
                || t.aliases.iter().any(|a| a.to_lowercase().contains(&q))
                || t.meaning.to_lowercase().contains(&q)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_sorted_unique_and_short() {
        let names: Vec<String> = TERMS.iter().map(|t| t.name.to_lowercase()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted, "alphabetical, each once");
        for t in TERMS {
            let sentences = t.meaning.matches(". ").count() + 1;
            assert!(sentences <= 3, "{} runs to {sentences} sentences", t.name);
        }
    }

    #[test]
    fn labels_find_their_term_by_the_longest_spelling() {
        assert_eq!(
            lookup("LCPR ($ per accepted output)").map(|t| t.name),
            Some("LCPR")
        );
        assert_eq!(
            lookup("Prefix cache hit rate").map(|t| t.name),
            Some("Cache hit rate")
        );
        assert_eq!(
            lookup("Stable prefix").map(|t| t.name),
            Some("Stable prefix")
        );
        assert_eq!(lookup("TPOT objective").map(|t| t.name), Some("TPOT"));
        assert_eq!(
            lookup("Goodput at the SLO").map(|t| t.name),
            Some("Goodput")
        );
        // Whole words only: "lcprs" or "prefixed" are not the terms.
        assert_eq!(lookup("Output p95"), None);
        assert_eq!(lookup("Title"), None);
    }

    #[test]
    fn a_text_lists_the_terms_it_uses_and_search_finds_by_meaning() {
        let used: Vec<&str> = used_in("LCPR rose as the retry rate and TTFT moved")
            .iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(used, ["LCPR", "Retry rate", "TTFT"]);
        assert!(search("streamed").iter().any(|t| t.name == "TPOT"));
        assert_eq!(search("").len(), TERMS.len());
    }
}
