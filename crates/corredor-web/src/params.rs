//! Query parameters: parsed all at once, every problem reported, unknown names refused.

use std::collections::BTreeSet;

use corredor_exchange::Problem;

/// The parameters of one request. Lists may be repeated (`country=PAN&country=HND`) or
/// comma-separated (`country=PAN,HND`).
pub struct Params {
    pairs: Vec<(String, String)>,
    allowed: BTreeSet<&'static str>,
    problems: Vec<Problem>,
}

impl Params {
    pub fn parse(query: Option<&str>) -> Params {
        let pairs = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        Params {
            pairs,
            allowed: BTreeSet::new(),
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, name: &str, reason: String) {
        self.problems
            .push(Problem::new("query", 0, Some(name), reason));
    }

    fn values(&mut self, name: &'static str) -> Vec<String> {
        self.allowed.insert(name);
        self.pairs
            .iter()
            .filter(|(key, _)| key == name)
            .flat_map(|(_, value)| value.split(',').map(|part| part.trim().to_owned()))
            .filter(|value| !value.is_empty())
            .collect()
    }

    /// Every value of a list parameter, parsed.
    pub fn list<T, E: std::fmt::Display>(
        &mut self,
        name: &'static str,
        mut parse: impl FnMut(&str) -> Result<T, E>,
    ) -> Vec<T> {
        let mut out = Vec::new();
        for raw in self.values(name) {
            match parse(&raw) {
                Ok(value) => out.push(value),
                Err(error) => self.problem(name, error.to_string()),
            }
        }
        out
    }

    /// A parameter given at most once.
    pub fn one<T, E: std::fmt::Display>(
        &mut self,
        name: &'static str,
        parse: impl Fn(&str) -> Result<T, E>,
    ) -> Option<T> {
        let values = self.values(name);
        if values.len() > 1 {
            self.problem(
                name,
                format!(
                    "`{name}` is given {} times; it takes one value",
                    values.len()
                ),
            );
            return None;
        }
        let raw = values.into_iter().next()?;
        match parse(&raw) {
            Ok(value) => Some(value),
            Err(error) => {
                self.problem(name, error.to_string());
                None
            }
        }
    }

    /// A flag: present (`revisions`, `revisions=true`) or absent.
    pub fn flag(&mut self, name: &'static str) -> bool {
        self.allowed.insert(name);
        let values: Vec<String> = self
            .pairs
            .iter()
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
            .collect();
        match values.first().map(String::as_str) {
            None => false,
            Some("" | "true" | "1" | "yes") => true,
            Some("false" | "0" | "no") => false,
            Some(other) => {
                let reason = format!("`{other}` is not true or false");
                self.problem(name, reason);
                false
            }
        }
    }

    /// Records a problem found while combining parameters.
    pub fn refuse(&mut self, name: &str, reason: impl Into<String>) {
        self.problem(name, reason.into());
    }

    /// Ends parsing: unknown parameter names are problems too (a typo must not silently
    /// widen a query).
    pub fn finish(mut self) -> Result<(), Vec<Problem>> {
        let unknown: Vec<String> = self
            .pairs
            .iter()
            .map(|(name, _)| name.clone())
            .filter(|name| !self.allowed.contains(name.as_str()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for name in unknown {
            let known: Vec<&str> = self.allowed.iter().copied().collect();
            self.problem(
                &name,
                format!(
                    "unknown parameter `{name}`; this endpoint takes {}",
                    known.join(", ")
                ),
            );
        }
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(self.problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_comma_separated_values_are_one_list() {
        let mut params = Params::parse(Some("country=PAN,HND&country=MEX"));
        let countries = params.list("country", |raw| Ok::<_, String>(raw.to_owned()));
        assert_eq!(countries, vec!["PAN", "HND", "MEX"]);
        assert!(params.finish().is_ok());
    }

    #[test]
    fn unknown_names_and_bad_values_are_all_reported() {
        let mut params = Params::parse(Some("contry=PAN&limit=x&limit=2"));
        let _ = params.one("limit", |raw| raw.parse::<u32>());
        let problems = params.finish().unwrap_err();
        assert_eq!(problems.len(), 2);
        assert!(problems
            .iter()
            .any(|p| p.column.as_deref() == Some("contry")));
    }
}
