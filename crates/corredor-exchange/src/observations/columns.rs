//! Which column of a file holds what: the corredor CSV header and the HXL hashtag row.

use corredor_core::{AgeGroup, Sex, Vulnerability};

/// A value corredor reads from one column of a long-form row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Field {
    Country,
    Period,
    Place,
    Measure,
    Nationality,
    Sex,
    AgeGroup,
    Vulnerability,
    Value,
    Source,
    Revision,
    SubmittedBy,
    SubmittedAt,
}

impl Field {
    pub(crate) const COUNT: usize = 13;

    pub(crate) const ALL: [Field; Field::COUNT] = [
        Field::Country,
        Field::Period,
        Field::Place,
        Field::Measure,
        Field::Nationality,
        Field::Sex,
        Field::AgeGroup,
        Field::Vulnerability,
        Field::Value,
        Field::Source,
        Field::Revision,
        Field::SubmittedBy,
        Field::SubmittedAt,
    ];

    /// The corredor CSV header name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::Country => "country",
            Field::Period => "period",
            Field::Place => "place",
            Field::Measure => "measure",
            Field::Nationality => "nationality",
            Field::Sex => "sex",
            Field::AgeGroup => "age_group",
            Field::Vulnerability => "vulnerability",
            Field::Value => "value",
            Field::Source => "source",
            Field::Revision => "revision",
            Field::SubmittedBy => "submitted_by",
            Field::SubmittedAt => "submitted_at",
        }
    }

    /// The hashtag corredor writes for the field (PROFILE.md).
    pub(crate) fn hashtag(self) -> &'static str {
        match self {
            Field::Country => "#country+code",
            Field::Period => "#date",
            Field::Place => "#loc+code",
            Field::Measure => "#indicator+code",
            Field::Nationality => "#country+code+origin",
            Field::Sex => "#group+sex",
            Field::AgeGroup => "#group+age",
            Field::Vulnerability => "#group+vulnerability",
            Field::Value => "#indicator+value+num",
            Field::Source => "#meta+source",
            Field::Revision => "#meta+revision+num",
            Field::SubmittedBy => "#meta+submitter",
            Field::SubmittedAt => "#date+submitted",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }

    fn from_name(name: &str) -> Option<Field> {
        Field::ALL
            .into_iter()
            .find(|field| field.name().eq_ignore_ascii_case(name))
    }
}

/// The breakdown a wide-form HXL count column carries in its attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct WideColumn {
    pub sex: Option<Sex>,
    pub age_group: Option<AgeGroup>,
    pub vulnerability: Option<Vulnerability>,
}

/// What one column of a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Field(Field),
    Count(WideColumn),
    /// Untagged HXL columns and labels such as `#loc+name`.
    Ignored,
}

/// A hashtag with its attributes, normalised: lower case, attributes sorted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hashtag {
    pub tag: String,
    pub attributes: Vec<String>,
}

impl Hashtag {
    /// Parses `#country +Code+origin`; `None` when the cell is not a hashtag spec.
    pub(crate) fn parse(raw: &str) -> Option<Hashtag> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        let mut parts = compact.split('+');
        let tag = parts.next()?;
        let valid = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        if !tag.starts_with('#') || !valid(&tag[1..]) {
            return None;
        }
        let mut attributes: Vec<String> = parts.map(str::to_owned).collect();
        if !attributes.iter().all(|a| valid(a)) {
            return None;
        }
        attributes.sort();
        attributes.dedup();
        Some(Hashtag {
            tag: tag.to_owned(),
            attributes,
        })
    }

    fn is(&self, tag: &str, attributes: &[&str]) -> bool {
        self.tag == tag
            && self.attributes.len() == attributes.len()
            && attributes
                .iter()
                .all(|a| self.attributes.iter().any(|b| b == a))
    }
}

/// Maps an HXL column, or says why it cannot be mapped.
pub(crate) fn hxl_column(hashtag: &Hashtag) -> Result<Column, String> {
    for field in Field::ALL {
        let written = Hashtag::parse(field.hashtag()).expect("corredor's own hashtags are valid");
        if *hashtag == written {
            return Ok(Column::Field(field));
        }
    }
    let aliases: [(&str, &[&str], Field); 3] = [
        ("#date", &["reported"], Field::Period),
        ("#date", &["occurred"], Field::Period),
        ("#indicator", &["num"], Field::Value),
    ];
    for (tag, attributes, field) in aliases {
        if hashtag.is(tag, attributes) {
            return Ok(Column::Field(field));
        }
    }
    let labels: [(&str, &[&str]); 5] = [
        ("#country", &["name"]),
        ("#country", &["name", "origin"]),
        ("#loc", &["name"]),
        ("#meta", &["comment"]),
        ("#description", &[]),
    ];
    if labels
        .iter()
        .any(|(tag, attributes)| hashtag.is(tag, attributes))
    {
        return Ok(Column::Ignored);
    }
    if matches!(
        hashtag.tag.as_str(),
        "#affected" | "#inneed" | "#population"
    ) {
        return wide_column(hashtag).map(Column::Count);
    }
    Err(format!(
        "corredor cannot map this column: it reads {} and the counts #affected, #inneed, #population (see the HXL profile)",
        Field::ALL.map(Field::hashtag).join(", ")
    ))
}

fn wide_column(hashtag: &Hashtag) -> Result<WideColumn, String> {
    let mut column = WideColumn::default();
    for attribute in &hashtag.attributes {
        let (sex, age_group, vulnerability) = match attribute.as_str() {
            "f" => (Some(Sex::Female), None, None),
            "m" => (Some(Sex::Male), None, None),
            // HXL 1.1: "intersex or non-gender-binary people".
            "i" => (Some(Sex::Other), None, None),
            "infants" => (None, Some(AgeGroup::Age0To4), None),
            "children" => (None, Some(AgeGroup::Age0To17), None),
            "adolescents" => (None, Some(AgeGroup::Age12To17), None),
            "adults" => (None, Some(AgeGroup::Age18Plus), None),
            "elderly" => (None, Some(AgeGroup::Age60Plus), None),
            "unaccompanied" => (None, None, Some(Vulnerability::UnaccompaniedChild)),
            "separated" => (None, None, Some(Vulnerability::SeparatedChild)),
            // The total over every dimension: nothing to set.
            "migrants" | "ind" => continue,
            other => {
                return Err(format!(
                    "corredor cannot map the attribute `+{other}` of a count column (it maps +f, +m, +i, +infants, +children, +adolescents, +adults, +elderly, +unaccompanied, +separated, +migrants, +ind)"
                ))
            }
        };
        let clash = (sex.is_some() && column.sex.is_some())
            || (age_group.is_some() && column.age_group.is_some())
            || (vulnerability.is_some() && column.vulnerability.is_some());
        if clash {
            return Err(format!(
                "the attribute `+{attribute}` gives a second value to a dimension the column already sets"
            ));
        }
        column.sex = column.sex.or(sex);
        column.age_group = column.age_group.or(age_group);
        column.vulnerability = column.vulnerability.or(vulnerability);
    }
    Ok(column)
}

/// Maps a corredor CSV header cell, or says why it cannot be mapped (with the closest name).
pub(crate) fn csv_column(name: &str) -> Result<Field, String> {
    if let Some(field) = Field::from_name(name) {
        return Ok(field);
    }
    let lower = name.to_ascii_lowercase();
    let (distance, closest) = Field::ALL
        .into_iter()
        .map(|field| {
            (
                strsim::damerau_levenshtein(&lower, field.name()),
                field.name(),
            )
        })
        .min()
        .expect("there are fields");
    let columns = Field::ALL.map(Field::name).join(", ");
    // A suggestion far from what was written would mislead more than it helps.
    if distance <= (closest.len() / 3).max(2) {
        Err(format!(
            "unknown column `{name}`: did you mean `{closest}`? (the columns are {columns})"
        ))
    } else {
        Err(format!(
            "unknown column `{name}` (the columns are {columns})"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hxl(raw: &str) -> Result<Column, String> {
        hxl_column(&Hashtag::parse(raw).expect("a hashtag"))
    }

    #[test]
    fn hashtags_match_by_tag_and_attributes_in_any_order_and_case() {
        assert_eq!(
            hxl("#Country +Origin+code"),
            Ok(Column::Field(Field::Nationality))
        );
        assert_eq!(hxl("#country+code"), Ok(Column::Field(Field::Country)));
        assert_eq!(hxl("#date+reported"), Ok(Column::Field(Field::Period)));
        assert_eq!(hxl("#indicator+num"), Ok(Column::Field(Field::Value)));
        assert_eq!(hxl("#loc+name"), Ok(Column::Ignored));
        assert!(hxl("#adm1+code").is_err());
        assert!(
            hxl("#country").is_err(),
            "a bare #country is a name, not a code"
        );
    }

    #[test]
    fn wide_count_attributes_carry_the_breakdown() {
        assert_eq!(
            hxl("#affected+f+children"),
            Ok(Column::Count(WideColumn {
                sex: Some(Sex::Female),
                age_group: Some(AgeGroup::Age0To17),
                vulnerability: None
            }))
        );
        assert_eq!(
            hxl("#population+migrants"),
            Ok(Column::Count(WideColumn::default()))
        );
        assert_eq!(
            hxl("#inneed+unaccompanied"),
            Ok(Column::Count(WideColumn {
                vulnerability: Some(Vulnerability::UnaccompaniedChild),
                ..WideColumn::default()
            }))
        );
        let error = hxl("#affected+hh").unwrap_err();
        assert!(error.contains("+hh"), "{error}");
        assert!(hxl("#affected+f+m").is_err());
    }

    #[test]
    fn cells_that_are_not_hashtags_are_not_parsed_as_hashtags() {
        for raw in ["", "period", "# ", "#+code", "#loc+", "#loc+Côte"] {
            assert_eq!(Hashtag::parse(raw), None, "{raw}");
        }
    }

    #[test]
    fn an_unknown_csv_column_suggests_the_closest_name() {
        let error = csv_column("nacionality").unwrap_err();
        assert!(error.contains("did you mean `nationality`"), "{error}");
        let error = csv_column("agegroup").unwrap_err();
        assert!(error.contains("did you mean `age_group`"), "{error}");
        assert_eq!(csv_column("Age_Group"), Ok(Field::AgeGroup));
        let error = csv_column("comentarios").unwrap_err();
        assert!(!error.contains("did you mean"), "{error}");
        assert!(error.contains("unknown column `comentarios`"), "{error}");
    }
}
