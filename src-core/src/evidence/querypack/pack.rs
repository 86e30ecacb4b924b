//! The query pack's SQL for one engine: the three source queries with that engine's reviewed
//! rewrites from `querypack/dialects.tsv` applied, optionally after a view recipe from
//! `querypack/views`. The files are embedded, so `lcpr querypack print` writes exactly the SQL
//! the cross-engine check (`querypack/check_engines.py`, which asks this code for it) runs.

/// The three source queries, in the order a pack file holds them.
pub const QUERIES: [(&str, &str); 3] = [
    (
        "tier1_counters",
        include_str!("../../../../querypack/tier1_counters.sql"),
    ),
    (
        "tier2_histograms",
        include_str!("../../../../querypack/tier2_histograms.sql"),
    ),
    (
        "tier2_extremes",
        include_str!("../../../../querypack/tier2_extremes.sql"),
    ),
];

/// The reviewed rewrites per engine.
const DIALECTS_TSV: &str = include_str!("../../../../querypack/dialects.tsv");

/// The view recipes, by file name `NAME.ENGINE.sql`: the engine the recipe is written for.
pub const RECIPES: [(&str, &str); 4] = [
    (
        "langfuse_observations.clickhouse.sql",
        include_str!("../../../../querypack/views/langfuse_observations.clickhouse.sql"),
    ),
    (
        "litellm_spendlogs.postgres.sql",
        include_str!("../../../../querypack/views/litellm_spendlogs.postgres.sql"),
    ),
    (
        "otel_genai_spans.clickhouse.sql",
        include_str!("../../../../querypack/views/otel_genai_spans.clickhouse.sql"),
    ),
    (
        "provider_usage.bigquery.sql",
        include_str!("../../../../querypack/views/provider_usage.bigquery.sql"),
    ),
];

/// The engines a pack is written for. `databricks` is Spark SQL (the same rewrites as `spark`).
pub const ENGINES: [&str; 7] = [
    "bigquery",
    "clickhouse",
    "databricks",
    "duckdb",
    "snowflake",
    "spark",
    "trino",
];

/// Why no pack could be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    /// The engine is not one the pack is written for.
    #[error("--engine {given}: unknown engine; engines: {}", ENGINES.join(", "))]
    UnknownEngine {
        /// The name given.
        given: String,
    },
    /// No view recipe has that name.
    #[error("--view {given}: no such view recipe; recipes: {}", recipe_names().join(", "))]
    UnknownRecipe {
        /// The name given.
        given: String,
    },
    /// The recipe is written in another engine's SQL.
    #[error(
        "--view {recipe}: the recipe is written for {written_for}, not {engine}; recipes for {engine}: {}",
        list_or_none(&recipes_for(engine))
    )]
    RecipeForAnotherEngine {
        /// The recipe.
        recipe: String,
        /// The engine whose SQL it is written in.
        written_for: String,
        /// The engine asked for.
        engine: String,
    },
    /// No source query has that name.
    #[error("--query {given}: no such query; queries: {}", query_names().join(", "))]
    UnknownQuery {
        /// The name given.
        given: String,
    },
    /// A line of `querypack/dialects.tsv` breaks its format or rules.
    #[error("querypack/dialects.tsv line {line}: {rule}")]
    Dialects {
        /// The line, from 1.
        line: usize,
        /// What is wrong with it.
        rule: String,
    },
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

fn query_names() -> Vec<&'static str> {
    QUERIES.iter().map(|(n, _)| *n).collect()
}

/// The recipe names (the file name without `.ENGINE.sql`), sorted.
pub fn recipe_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = RECIPES.iter().map(|(f, _)| recipe_parts(f).0).collect();
    names.sort_unstable();
    names
}

/// `NAME.ENGINE.sql` → (NAME, ENGINE).
fn recipe_parts(file: &'static str) -> (&'static str, &'static str) {
    let stem = file.strip_suffix(".sql").unwrap_or(file);
    stem.split_once('.').unwrap_or((stem, ""))
}

/// Whether SQL written for `written_for` runs on `engine`: a Postgres recipe is written in the
/// subset DuckDB reads too (over the same table, through its postgres extension or a copy), and
/// Databricks runs Spark SQL.
fn runs_on(written_for: &str, engine: &str) -> bool {
    written_for == engine
        || (written_for == "postgres" && engine == "duckdb")
        || (written_for == "spark" && engine == "databricks")
}

/// The recipes whose SQL runs on `engine`, sorted.
pub fn recipes_for(engine: &str) -> Vec<&'static str> {
    let mut names: Vec<&str> = RECIPES
        .iter()
        .map(|(f, _)| recipe_parts(f))
        .filter(|(_, e)| runs_on(e, engine))
        .map(|(n, _)| n)
        .collect();
    names.sort_unstable();
    names
}

/// One reviewed rewrite: in `engine`'s variant, `text` becomes `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The engine whose variant it makes.
    pub engine: String,
    /// The exact text of the source.
    pub text: String,
    /// What it becomes.
    pub replacement: String,
    /// Why (the engine's documented rule).
    pub reason: String,
}

/// Reads `dialects.tsv`: engine, text, replacement, reason, tab-separated; `#` lines and blank
/// lines are comments. Every engine must be one of [`ENGINES`] and every text must occur in a
/// source query, so a rewrite that silently stopped applying is an error, not a no-op.
pub fn parse_rewrites(tsv: &str) -> Result<Vec<Rewrite>, PackError> {
    let mut out = Vec::new();
    for (i, line) in tsv.lines().enumerate() {
        let error = |rule: String| PackError::Dialects { line: i + 1, rule };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let [engine, text, replacement, reason] = fields[..] else {
            return Err(error(format!(
                "has {} tab-separated fields; want 4: engine, text, replacement, reason",
                fields.len()
            )));
        };
        if !ENGINES.contains(&engine) {
            return Err(error(format!(
                "engine {engine:?} is not one of {}",
                ENGINES.join(", ")
            )));
        }
        if text.is_empty() || !QUERIES.iter().any(|(_, sql)| sql.contains(text)) {
            return Err(error(format!(
                "the text {text:?} occurs in no query of the pack; fix the text or remove the line"
            )));
        }
        out.push(Rewrite {
            engine: engine.to_owned(),
            text: text.to_owned(),
            replacement: replacement.to_owned(),
            reason: reason.to_owned(),
        });
    }
    Ok(out)
}

/// The engine whose lines of `dialects.tsv` make `engine`'s variant.
fn rewrites_of(engine: &str) -> &str {
    if engine == "databricks" {
        "spark"
    } else {
        engine
    }
}

fn check_engine(engine: &str) -> Result<(), PackError> {
    if ENGINES.contains(&engine) {
        Ok(())
    } else {
        Err(PackError::UnknownEngine {
            given: engine.to_owned(),
        })
    }
}

/// The source query `name` as `engine` runs it: its lines of `dialects.tsv` applied in order.
pub fn query(engine: &str, name: &str) -> Result<String, PackError> {
    check_engine(engine)?;
    let Some((_, source)) = QUERIES.iter().find(|(n, _)| *n == name) else {
        return Err(PackError::UnknownQuery {
            given: name.to_owned(),
        });
    };
    let rewrites = parse_rewrites(DIALECTS_TSV)?;
    let mut sql = (*source).to_owned();
    for r in rewrites.iter().filter(|r| r.engine == rewrites_of(engine)) {
        sql = sql.replace(&r.text, &r.replacement);
    }
    Ok(sql)
}

/// The view recipe `name`, checked to run on `engine`.
pub fn recipe(engine: &str, name: &str) -> Result<&'static str, PackError> {
    check_engine(engine)?;
    let Some((file, sql)) = RECIPES.iter().find(|(f, _)| recipe_parts(f).0 == name) else {
        return Err(PackError::UnknownRecipe {
            given: name.to_owned(),
        });
    };
    let written_for = recipe_parts(file).1;
    if !runs_on(written_for, engine) {
        return Err(PackError::RecipeForAnotherEngine {
            recipe: name.to_owned(),
            written_for: written_for.to_owned(),
            engine: engine.to_owned(),
        });
    }
    Ok(sql)
}

/// One file for the warehouse console: the view recipe (when given), then the three queries in
/// `engine`'s dialect, separated by a blank line.
pub fn pack(engine: &str, view: Option<&str>) -> Result<String, PackError> {
    check_engine(engine)?;
    let mut parts: Vec<String> = Vec::new();
    if let Some(name) = view {
        parts.push(recipe(engine, name)?.to_owned());
    }
    for (name, _) in QUERIES {
        parts.push(query(engine, name)?);
    }
    Ok(parts.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_rewrites_parse_and_each_applies() {
        let rewrites = parse_rewrites(DIALECTS_TSV).unwrap();
        assert!(rewrites.iter().any(|r| r.engine == "bigquery"));
        assert!(rewrites.iter().all(|r| !r.reason.is_empty()));
    }

    #[test]
    fn bigquery_gets_its_type_names_and_the_source_keeps_its_own() {
        for (name, source) in QUERIES {
            let bq = query("bigquery", name).unwrap();
            assert!(
                !bq.contains("AS DOUBLE)") && !bq.contains("AS BIGINT)"),
                "{bq}"
            );
            assert!(!bq.contains("DECIMAL(38, 10)"), "{bq}");
            assert_eq!(query("duckdb", name).unwrap(), source);
            assert_eq!(
                query("databricks", name).unwrap(),
                query("spark", name).unwrap()
            );
        }
        assert!(
            query("bigquery", "tier1_counters")
                .unwrap()
                .contains("AS BIGNUMERIC(38, 10))")
        );
        assert!(
            query("clickhouse", "tier1_counters")
                .unwrap()
                .contains("SETTINGS prefer_column_name_to_alias = 1;")
        );
    }

    #[test]
    fn a_pack_is_the_recipe_then_the_three_queries() {
        let p = pack("clickhouse", Some("otel_genai_spans")).unwrap();
        let recipe = recipe("clickhouse", "otel_genai_spans").unwrap();
        assert!(p.starts_with(recipe));
        let q: Vec<String> = QUERIES
            .iter()
            .map(|(n, _)| query("clickhouse", n).unwrap())
            .collect();
        assert_eq!(p, format!("{recipe}\n{}", q.join("\n")));
        assert_eq!(pack("trino", None).unwrap(), q_source().join("\n"));
        // A Postgres recipe runs on DuckDB.
        assert!(pack("duckdb", Some("litellm_spendlogs")).is_ok());
        assert_eq!(
            recipes_for("clickhouse"),
            ["langfuse_observations", "otel_genai_spans"]
        );
        assert_eq!(recipes_for("bigquery"), ["provider_usage"]);
        let bq = pack("bigquery", Some("provider_usage")).unwrap();
        assert!(bq.starts_with(RECIPES[3].1) && bq.contains("AS BIGNUMERIC(38, 10))"));
    }

    fn q_source() -> Vec<&'static str> {
        QUERIES.iter().map(|(_, s)| *s).collect()
    }

    #[test]
    fn unknown_names_are_refused_with_the_valid_ones() {
        let e = pack("oracle", None).unwrap_err().to_string();
        assert!(
            e.contains("--engine oracle") && e.contains("bigquery, clickhouse"),
            "{e}"
        );
        let e = pack("duckdb", Some("nope")).unwrap_err().to_string();
        assert!(
            e.contains("--view nope")
                && e.contains(
                    "langfuse_observations, litellm_spendlogs, otel_genai_spans, provider_usage"
                ),
            "{e}"
        );
        let e = pack("trino", Some("otel_genai_spans"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("written for clickhouse, not trino") && e.contains("trino: none"),
            "{e}"
        );
        let e = query("duckdb", "tier3").unwrap_err().to_string();
        assert!(
            e.contains("tier1_counters, tier2_histograms, tier2_extremes"),
            "{e}"
        );
    }

    #[test]
    fn a_bad_dialects_line_names_its_line_and_rule() {
        let e = parse_rewrites("# c\nbigquery\tAS DOUBLE)\n").unwrap_err();
        assert_eq!(
            e,
            PackError::Dialects {
                line: 2,
                rule: "has 2 tab-separated fields; want 4: engine, text, replacement, reason"
                    .into()
            }
        );
        let e = parse_rewrites("oracle\tAS DOUBLE)\tX\twhy\n").unwrap_err();
        assert!(e.to_string().contains("\"oracle\" is not one of"), "{e}");
        let e = parse_rewrites("trino\tNO SUCH TEXT\tX\twhy\n").unwrap_err();
        assert!(e.to_string().contains("occurs in no query"), "{e}");
    }

    #[test]
    fn every_recipe_file_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../querypack/views");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".sql"))
            .collect();
        files.sort();
        let embedded: Vec<&str> = RECIPES.iter().map(|(f, _)| *f).collect();
        assert_eq!(files, embedded);
        for (file, sql) in RECIPES {
            assert_eq!(&std::fs::read_to_string(dir.join(file)).unwrap(), sql);
            assert!(ENGINES.contains(&recipe_parts(file).1) || recipe_parts(file).1 == "postgres");
        }
    }
}
