//! The rule set: the built-in Sigma rules and those in the user's folder, each file parsed and compiled on its
//! own so a broken one is reported by file and reason while the others run.
use super::builtin::BUILTIN;
use crate::model::events::EventCategory;
use crate::model::findings::{RuleProblem, Severity, technique_of};
use rsigma_eval::{CorrelationConfig, CorrelationEngine};
use rsigma_parser::{LogSource, SigmaCollection, parse_sigma_yaml};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// What a finding shows about the rule that made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInfo {
    /// The Sigma `id`.
    pub id: String,
    /// The `title`.
    pub title: String,
    /// The `level` (`medium` when the rule has none, Sigma's usual default for unrated rules).
    pub severity: Severity,
    /// The ATT&CK technique of its tags (`T1562.008`).
    pub technique: Option<String>,
    /// The `description`.
    pub description: Option<String>,
    /// How to respond: the custom `fix` field of our rules.
    pub fix: Option<String>,
    /// Where the rule comes from: `builtin:NAME` or the file's path.
    pub file: String,
    /// The `license` field.
    pub license: Option<String>,
    /// Whether it is a correlation rule (its matches are windows of events, not single events).
    pub correlation: bool,
    /// The `eventCategory` it reads when not management events: the custom `event_category` field of the rule
    /// (CloudTrail's value, e.g. `Data`), or for a correlation its own or that of a rule it counts. A store
    /// without any such event cannot feed it ("cannot evaluate").
    pub needs: Option<EventCategory>,
}

/// The custom field naming the `eventCategory` a rule reads (`event_category: Data`).
pub const EVENT_CATEGORY_FIELD: &str = "event_category";

/// The category a rule's [`EVENT_CATEGORY_FIELD`] names; an error names the accepted values.
fn needs<V: serde::Serialize>(
    attributes: &std::collections::HashMap<String, V>,
    title: &str,
) -> Result<Option<EventCategory>, String> {
    let Some(value) = text_attribute(attributes, EVENT_CATEGORY_FIELD) else {
        return Ok(None);
    };
    EventCategory::from_cloudtrail(&value)
        .map(|c| Some(c).filter(|c| *c != EventCategory::Management))
        .ok_or_else(|| {
            format!(
                "rule {title:?}: {EVENT_CATEGORY_FIELD} {value:?} is not a CloudTrail eventCategory \
                 (Management, Data, Insight or NetworkActivity)"
            )
        })
}

/// The rules evaluated together: their merged collection, what each finding-making rule shows, the files that
/// could not be used, and a digest of every loaded rule's text (a changed digest means a full re-evaluation).
pub struct RuleSet {
    collection: SigmaCollection,
    info: BTreeMap<String, RuleInfo>,
    problems: Vec<RuleProblem>,
    digest: String,
    /// The folder of user rules, canonical where it exists.
    user_dir: Option<std::path::PathBuf>,
}

/// Largest user rule file read (bytes); a Sigma rule is a few KB.
pub const MAX_RULE_FILE_BYTES: u64 = 1024 * 1024;

impl RuleSet {
    /// The built-in rules, then every `*.yml`/`*.yaml` file directly in `user_dir` (sorted by name). A file that
    /// cannot be read, parsed or compiled, has a rule without an `id`, reuses an `id` already loaded, or is not
    /// about CloudTrail (`logsource: product: aws, service: cloudtrail`) is skipped and listed in
    /// [`RuleSet::problems`]; so is a folder that cannot be read.
    pub fn load(user_dir: Option<&Path>) -> Self {
        let mut set = Self {
            collection: SigmaCollection::new(),
            info: BTreeMap::new(),
            problems: Vec::new(),
            digest: String::new(),
            user_dir: user_dir.map(|d| std::fs::canonicalize(d).unwrap_or_else(|_| d.to_owned())),
        };
        let mut hasher = Sha256::new();
        for (name, text) in BUILTIN {
            let file = format!("builtin:{name}");
            set.add_file(&file, &file, text, &mut hasher);
        }
        if let Some(dir) = user_dir {
            for (file, text) in read_folder(dir, &mut set.problems) {
                // Hashed by its name in the folder: the same folder reached another way (a symlink, a relative
                // path) is the same rules, so it does not start the evaluation over.
                let name = Path::new(&file)
                    .file_name()
                    .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
                set.add_file(&file, &format!("user:{name}"), &text, &mut hasher);
            }
        }
        set.digest = hex::encode(hasher.finalize());
        set
    }

    /// Adds the rules of `file` (as shown in problems), hashed under `hashed_as` with its text.
    fn add_file(&mut self, file: &str, hashed_as: &str, text: &str, hasher: &mut Sha256) {
        match self.check_file(file, text) {
            Ok(collection) => {
                hasher.update(hashed_as.as_bytes());
                hasher.update([0]);
                hasher.update(text.as_bytes());
                hasher.update([0]);
                self.collection.rules.extend(collection.rules);
                self.collection.correlations.extend(collection.correlations);
                self.collection.filters.extend(collection.filters);
            }
            Err(reason) => self.problems.push(RuleProblem {
                file: file.to_owned(),
                reason,
            }),
        }
    }

    /// Parses and compiles one file alone; on success records what its finding-making rules show.
    fn check_file(&mut self, file: &str, text: &str) -> Result<SigmaCollection, String> {
        let collection = parse_sigma_yaml(text).map_err(|e| e.to_string())?;
        if !collection.errors.is_empty() {
            return Err(collection.errors.join("; "));
        }
        if collection.rules.is_empty() && collection.correlations.is_empty() {
            return Err("no Sigma rule in the file".to_owned());
        }
        let mut ids = HashSet::new();
        for rule in &collection.rules {
            let id = rule.id.as_deref().ok_or_else(|| {
                format!(
                    "rule {:?} has no id (findings are kept by rule id)",
                    rule.title
                )
            })?;
            if !is_cloudtrail(&rule.logsource) {
                return Err(format!(
                    "rule {:?} is not for CloudTrail (its logsource must be product: aws, service: cloudtrail)",
                    rule.title
                ));
            }
            ids.insert(id.to_owned());
        }
        for correlation in &collection.correlations {
            let id = correlation
                .id
                .as_deref()
                .ok_or_else(|| format!("correlation {:?} has no id", correlation.title))?;
            ids.insert(id.to_owned());
        }
        let known: HashSet<&str> = self
            .collection
            .rules
            .iter()
            .filter_map(|r| r.id.as_deref())
            .chain(
                self.collection
                    .correlations
                    .iter()
                    .filter_map(|c| c.id.as_deref()),
            )
            .collect();
        if let Some(taken) = ids.iter().find(|id| known.contains(id.as_str())) {
            return Err(format!("rule id {taken} is already used by another rule"));
        }
        let mut rule_needs = std::collections::HashMap::new();
        for rule in &collection.rules {
            let category = needs(&rule.custom_attributes, &rule.title)?;
            for key in rule.id.iter().chain(rule.name.iter()) {
                rule_needs.insert(key.clone(), category);
            }
        }
        let correlation_needs = collection
            .correlations
            .iter()
            .map(|c| {
                let counted = c
                    .rules
                    .iter()
                    .find_map(|r| rule_needs.get(r).copied().flatten());
                Ok(needs(&c.custom_attributes, &c.title)?.or(counted))
            })
            .collect::<Result<Vec<_>, String>>()?;
        let mut engine = CorrelationEngine::new(CorrelationConfig::default());
        engine
            .add_collection(&collection)
            .map_err(|e| format!("does not compile: {e}"))?;
        // Rules only a correlation uses (`generate: false`, the default) make no finding of their own.
        let correlation_only: HashSet<&str> = collection
            .correlations
            .iter()
            .filter(|c| !c.generate)
            .flat_map(|c| c.rules.iter().map(String::as_str))
            .collect();
        for rule in &collection.rules {
            let id = rule.id.clone().unwrap_or_default();
            let referenced = correlation_only.contains(id.as_str())
                || rule
                    .name
                    .as_deref()
                    .is_some_and(|n| correlation_only.contains(n));
            if referenced {
                continue;
            }
            let needs = rule_needs.get(&id).copied().flatten();
            self.info.insert(
                id.clone(),
                RuleInfo {
                    id,
                    title: rule.title.clone(),
                    severity: severity(rule.level.as_ref()),
                    technique: technique_of(rule.tags.iter().map(String::as_str)),
                    description: rule.description.clone(),
                    fix: text_attribute(&rule.custom_attributes, "fix"),
                    file: file.to_owned(),
                    license: rule.license.clone(),
                    correlation: false,
                    needs,
                },
            );
        }
        for (c, needs) in collection.correlations.iter().zip(correlation_needs) {
            let id = c.id.clone().unwrap_or_default();
            self.info.insert(
                id.clone(),
                RuleInfo {
                    id,
                    title: c.title.clone(),
                    severity: severity(c.level.as_ref()),
                    technique: technique_of(c.tags.iter().map(String::as_str)),
                    description: c.description.clone(),
                    fix: text_attribute(&c.custom_attributes, "fix"),
                    file: file.to_owned(),
                    license: c.license.clone(),
                    correlation: true,
                    needs,
                },
            );
        }
        Ok(collection)
    }

    /// Every loaded rule and correlation, for the evaluation engine.
    pub fn collection(&self) -> &SigmaCollection {
        &self.collection
    }

    /// The rules whose matches are findings (correlation-only detections excluded), by id.
    pub fn info(&self) -> &BTreeMap<String, RuleInfo> {
        &self.info
    }

    /// The ids of the loaded detection rules that make no finding of their own: those only a correlation uses
    /// (Sigma's `generate: false`), i.e. every detection rule not in [`RuleSet::info`].
    pub fn correlation_only(&self) -> impl Iterator<Item = &str> {
        self.collection
            .rules
            .iter()
            .filter_map(|r| r.id.as_deref())
            .filter(|id| !self.info.contains_key(*id))
    }

    /// The rule files that were skipped, with why.
    pub fn problems(&self) -> &[RuleProblem] {
        &self.problems
    }

    /// A digest (hex SHA-256) of the loaded rule files' names (a user file's name within its folder) and texts.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The folder the user rules came from (`rules_dir`, canonical where it exists), as text; empty when none.
    pub fn user_dir(&self) -> String {
        self.user_dir
            .as_deref()
            .map(|d| d.display().to_string())
            .unwrap_or_default()
    }
}

fn is_cloudtrail(logsource: &LogSource) -> bool {
    logsource
        .product
        .as_deref()
        .is_some_and(|p| p.eq_ignore_ascii_case("aws"))
        && logsource
            .service
            .as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("cloudtrail"))
}

fn severity(level: Option<&rsigma_parser::Level>) -> Severity {
    use rsigma_parser::Level;
    match level {
        Some(Level::Informational) => Severity::Informational,
        Some(Level::Low) => Severity::Low,
        None | Some(Level::Medium) => Severity::Medium,
        Some(Level::High) => Severity::High,
        Some(Level::Critical) => Severity::Critical,
    }
}

/// A custom field's text (the parser keeps unknown top-level keys as YAML values).
fn text_attribute<V: serde::Serialize>(
    attributes: &std::collections::HashMap<String, V>,
    key: &str,
) -> Option<String> {
    match serde_json::to_value(attributes.get(key)?) {
        Ok(serde_json::Value::String(text)) => Some(text.trim().to_owned()),
        _ => None,
    }
}

/// The `*.yml`/`*.yaml` files directly in `dir`, sorted by name, with their text; unreadable ones become problems.
fn read_folder(dir: &Path, problems: &mut Vec<RuleProblem>) -> Vec<(String, String)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            problems.push(RuleProblem {
                file: dir.display().to_string(),
                reason: format!("cannot read the rules folder: {error}"),
            });
            return Vec::new();
        }
    };
    let mut paths: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
        })
        .collect();
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let file = path.display().to_string();
        let read = std::fs::metadata(&path).and_then(|m| {
            if m.len() > MAX_RULE_FILE_BYTES {
                Err(std::io::Error::other(format!(
                    "larger than {MAX_RULE_FILE_BYTES} bytes"
                )))
            } else {
                std::fs::read_to_string(&path)
            }
        });
        match read {
            Ok(text) => files.push((file, text)),
            Err(error) => problems.push(RuleProblem {
                file,
                reason: format!("cannot read it: {error}"),
            }),
        }
    }
    files
}
