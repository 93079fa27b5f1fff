//! Statistical disclosure control: small counts suppressed, and never recoverable.
//!
//! Wherever an observer organisation or an unauthenticated reader sees counts of migrants,
//! a count below a threshold (5 by default, [`DEFAULT_THRESHOLD`]) is shown as `<5`. Hiding
//! the small count is not enough: a published total minus the visible parts would give it
//! back. This module decides which cells of a table to hide so that it cannot.
//!
//! # Model
//!
//! A [`Table`] is a list of cells (non-negative counts) linked by additive [`Relation`]s:
//! `total = Σ parts + residual`. The residual is what the parts do not cover (a country
//! reports a total and only some nationalities); it is never published. The reader is
//! assumed to know every relation and every shown cell, and to solve the linear equations
//! for the hidden ones (cell suppression as in Hundepool et al., *Statistical Disclosure
//! Control*, Wiley 2012, ch. 4 "Magnitude tabular data" and ch. 5 "Frequency tables",
//! with complementary suppression after Cox, "Suppression methodology and statistical
//! disclosure control", JASA 75(370), 1980).
//!
//! 1. **Primary suppression.** Every cell with `value < threshold` is hidden
//!    ([`Status::BelowThreshold`]); zero included, since 0 is a count below 5.
//! 2. **Residuals.** `residual = total − Σ parts`. A negative residual means inconsistent
//!    data or overlapping parts: the relation is no exact equation, so it is ignored and
//!    reported in [`Suppression::ignored_relations`] (never trusted). A residual of zero
//!    makes the relation an exact partition. A positive residual is one more unknown.
//! 3. **Complementary suppression.** A relation *exposes* a value when it has exactly one
//!    unknown among its cells and residual: one hidden cell and a residual of zero reveals
//!    the cell; no hidden cell and `0 < residual < threshold` reveals a small residual (a
//!    residual of `threshold` or more is not sensitive and may be derived). An exposing
//!    relation gets one more hidden cell ([`Status::Complementary`]): among its cells not
//!    yet hidden and allowed ([`CellSpec::complementary_allowed`]), the part with the
//!    smallest value (ties: the lowest index), or the total when no part is allowed. Hiding
//!    a cell for one relation can make another relation expose it, so the step repeats
//!    until no relation exposes anything. Among all exposing relations, the one whose
//!    candidate cell is smallest (then lowest index) is served first, so the result does not
//!    depend on the order the relations were given in (step 4 reads them in an order of
//!    their content for the same reason). Suppression only grows, so this ends.
//! 4. **Linear audit.** "No relation with exactly one unknown" is necessary but not
//!    sufficient: relations combine. In a table with margins, two protected rectangles of
//!    hidden cells joined by one hidden cell give that cell back (add two rows, subtract two
//!    columns). So the hidden cells and the residuals are then treated as the unknowns of
//!    the linear system of all relations, reduced exactly (rational Gauss–Jordan); a hidden
//!    cell, or a residual below the threshold, that every solution gives the same value is
//!    *determined*. For each, the weights of one combination of relations that gives it
//!    back are solved for (`Σ λ_r relation_r = the unknown`), and the smallest shown,
//!    allowed cell of those relations whose hiding breaks that combination is hidden as
//!    complementary. Steps 3 and 4 repeat until nothing is determined.
//!
//! Complementary cells are protected like primary ones (a complement given back would
//! give back the count it protects). The choice is greedy: it keeps the loss small but is
//! not the minimum, which is an NP-hard problem (Kelly, Golden and Assad, "Cell
//! suppression: disclosure protection for sensitive tabular data", *Networks* 22, 1992).
//!
//! Cost: the audit is one sparse exact elimination per round, a few more only when some
//! unknown is determined. On 200 nationalities × 120 months with 10 year totals each and a
//! total line (26,130 cells, 2,130 relations), `suppress` took about 20 ms (release build)
//! with realistic, heavy-tailed counts (2,016 below five), about 110 ms with small counts
//! scattered over every line (6,674 below five), and up to 1.3 s when almost every cell is
//! below five (25,188): the elimination grows with the number of hidden cells.
//!
//! # What is protected, and what is not
//!
//! Protected: exact recovery of a hidden cell, or of a residual below the threshold, from
//! the shown cells through the relations given (every relation ends with 0 or at least 2
//! unknowns counting its residual, and no combination of relations pins an unknown).
//!
//! Not protected:
//! - interval bounds: counts are non-negative, so a hidden cell is known to lie between 0
//!   and the smallest total it belongs to, and the linear-programming bounds of an attacker
//!   may be narrow (the protection intervals of Hundepool et al. ch. 4 are not enforced);
//! - relations not given to [`suppress`]: callers must pass every relation their output
//!   exposes (a year total and its months, a total line and its nationalities, an age
//!   group and its subgroups), including across pages and responses. A cell that another
//!   response shows should be passed with `complementary_allowed = false`, since hiding it
//!   here would protect nothing;
//! - residuals linked to each other: the residual of a year total is the sum of the
//!   residuals of its months, a relation the caller cannot state between unpublished
//!   quantities. To protect it, model the residual as a cell of its own.
//!
//! # Views fixed one after another
//!
//! A reader who may ask for several tables (a year total, then its months, then its months
//! by nationality) combines them. Tables are then suppressed one after another, each fixing
//! the cells of the earlier ones: a cell an earlier table shows is given with
//! [`TableBuilder::cell_published_elsewhere`], and a cell it hides with
//! [`TableBuilder::cell_hidden_elsewhere`], an unknown for the reader that stays hidden here
//! and is protected like any hidden cell (it is never chosen as complementary, since it is
//! hidden already, and never counted as shown).
//!
//! When no allowed cell is left to protect a value (every remaining cell is published
//! elsewhere), nothing here can help: the value is reported in
//! [`Suppression::unprotected_cells`] or [`Suppression::unprotected_relations`], and the
//! caller must not publish the table as is.

use std::collections::BTreeSet;

/// The threshold of the corridor's publication rules: counts below 5 are shown as `<5`.
pub const DEFAULT_THRESHOLD: u64 = 5;

/// One count of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellSpec {
    /// The count.
    pub value: u64,
    /// `false` for a cell published elsewhere under primary-only rules (for example a total
    /// that another response shows): it is suppressed only if itself below the threshold,
    /// never chosen as complementary, since hiding it here would protect nothing.
    pub complementary_allowed: bool,
}

/// An additive relation: `cells[total] = Σ cells[parts] + residual`, with `residual ≥ 0`
/// unpublished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// Index of the total cell.
    pub total: usize,
    /// Indices of the parts; distinct, and not the total.
    pub parts: Vec<usize>,
}

/// A table of cells linked by additive relations, checked once at construction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    cells: Vec<CellSpec>,
    relations: Vec<Relation>,
    /// Cells that another table hides, in index order: unknowns for the reader.
    hidden_elsewhere: Vec<usize>,
}

/// Builds a [`Table`] cell by cell; indices returned by the builder name the cells.
#[derive(Debug, Clone, Default)]
pub struct TableBuilder {
    cells: Vec<CellSpec>,
    relations: Vec<Relation>,
    hidden_elsewhere: Vec<usize>,
}

/// The cells of a lines × periods block added by [`TableBuilder::lines_by_period`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinesByPeriod {
    /// `lines[line][period]`: the cell index of one line in one period.
    pub lines: Vec<Vec<usize>>,
    /// `total_line[period]`: the cell index of the total of one period.
    pub total_line: Vec<usize>,
}

/// What the reader sees of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The count is shown.
    Shown,
    /// Primary suppression: the count is below the threshold (shown as `<5`).
    BelowThreshold,
    /// Secondary suppression: the count is at or above the threshold but hidden so that a
    /// count below it cannot be derived.
    Complementary,
}

/// A relation whose parts exceed its total: no exact equation, so it was not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IgnoredRelation {
    /// Index of the relation in [`Table::relations`].
    pub relation: usize,
    /// By how much `Σ parts` exceeds the total.
    pub excess: u64,
}

/// The outcome of [`suppress`]: one status per cell, and what could not be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// `status[cell]`, aligned with [`Table::cells`].
    pub status: Vec<Status>,
    /// Relations whose parts exceed their total (inconsistent data or overlapping parts),
    /// in index order. They were not trusted and do not protect anything.
    pub ignored_relations: Vec<IgnoredRelation>,
    /// Relations that still give away a value because every cell left to hide is published
    /// elsewhere, in index order: relations with exactly one unknown, and relations whose
    /// residual below the threshold a combination of relations determines. The table must
    /// not be published as is.
    pub unprotected_relations: Vec<usize>,
    /// Hidden cells that the relations still determine because every cell left to hide is
    /// published elsewhere, in index order (a cell given away by one of
    /// `unprotected_relations` is listed here too). The table must not be published as is.
    pub unprotected_cells: Vec<usize>,
    /// `false` when the exact linear audit overflowed its 128-bit rationals on some block
    /// of the table: relations were still protected one by one, but combinations of
    /// relations were not checked. Not seen on tables of counts; reported rather than hidden.
    pub audit_complete: bool,
}

/// Why a table could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DisclosureError {
    /// A relation names a cell the table does not have.
    #[error("relation {relation} names cell {cell}, but the table has {cells} cells")]
    UnknownCell {
        relation: usize,
        cell: usize,
        cells: usize,
    },
    /// A relation lists its total among its parts.
    #[error("relation {relation} lists its total, cell {cell}, among its parts")]
    TotalAmongParts { relation: usize, cell: usize },
    /// A relation lists the same part twice.
    #[error("relation {relation} lists part {cell} more than once")]
    RepeatedPart { relation: usize, cell: usize },
}

impl Status {
    /// Whether the reader does not see the count.
    pub fn is_suppressed(self) -> bool {
        !matches!(self, Status::Shown)
    }
}

impl Table {
    /// A table from its cells and relations; every relation must name existing cells, not
    /// list its total among its parts, and not repeat a part.
    pub fn new(cells: Vec<CellSpec>, relations: Vec<Relation>) -> Result<Table, DisclosureError> {
        for (index, relation) in relations.iter().enumerate() {
            let mut seen = BTreeSet::new();
            for &cell in std::iter::once(&relation.total).chain(&relation.parts) {
                if cell >= cells.len() {
                    return Err(DisclosureError::UnknownCell {
                        relation: index,
                        cell,
                        cells: cells.len(),
                    });
                }
            }
            for &part in &relation.parts {
                if part == relation.total {
                    return Err(DisclosureError::TotalAmongParts {
                        relation: index,
                        cell: part,
                    });
                }
                if !seen.insert(part) {
                    return Err(DisclosureError::RepeatedPart {
                        relation: index,
                        cell: part,
                    });
                }
            }
        }
        Ok(Table {
            cells,
            relations,
            hidden_elsewhere: Vec::new(),
        })
    }

    /// A builder for the common shapes: cells one by one, sums, lines by period.
    pub fn builder() -> TableBuilder {
        TableBuilder::default()
    }

    pub fn cells(&self) -> &[CellSpec] {
        &self.cells
    }

    pub fn relations(&self) -> &[Relation] {
        &self.relations
    }

    /// The cells that another table hides (see [`TableBuilder::cell_hidden_elsewhere`]), in
    /// index order.
    pub fn hidden_elsewhere(&self) -> &[usize] {
        &self.hidden_elsewhere
    }
}

impl TableBuilder {
    /// Adds a cell that may be hidden as complementary; returns its index.
    pub fn cell(&mut self, value: u64) -> usize {
        self.push(CellSpec {
            value,
            complementary_allowed: true,
        })
    }

    /// Adds a cell that another response publishes under primary-only rules (hidden only
    /// if itself below the threshold); returns its index.
    pub fn cell_published_elsewhere(&mut self, value: u64) -> usize {
        self.push(CellSpec {
            value,
            complementary_allowed: false,
        })
    }

    /// Adds a cell that another table hides: an unknown for the reader. It stays suppressed
    /// here whatever its value ([`Status::BelowThreshold`] below the threshold,
    /// [`Status::Complementary`] otherwise), is protected like any hidden cell, and is never
    /// counted as shown. Returns its index.
    pub fn cell_hidden_elsewhere(&mut self, value: u64) -> usize {
        let cell = self.push(CellSpec {
            value,
            complementary_allowed: false,
        });
        self.hidden_elsewhere.push(cell);
        cell
    }

    /// Adds the relation `total = Σ parts + residual`. Checked by [`TableBuilder::build`].
    pub fn relation(&mut self, total: usize, parts: &[usize]) -> &mut TableBuilder {
        self.relations.push(Relation {
            total,
            parts: parts.to_vec(),
        });
        self
    }

    /// Adds a cell holding the exact sum of `parts` (a year of months, the age group 0-17
    /// of its subgroups) and its relation; returns the new cell's index.
    ///
    /// Panics if a part is not a cell of this builder: indices come from the builder.
    pub fn sum_of(&mut self, parts: &[usize]) -> usize {
        let value = parts
            .iter()
            .map(|&part| {
                self.cells
                    .get(part)
                    .expect("sum_of takes indices returned by this builder")
                    .value
            })
            .fold(0u64, u64::saturating_add);
        let total = self.cell(value);
        self.relation(total, parts);
        total
    }

    /// Adds a block of `lines[line][period]` counts (lines by nationality, say) and a total
    /// line with one relation per period: `total_line[period] = Σ lines + residual`.
    ///
    /// `total_line` gives the reported totals (which may exceed the lines shown: the
    /// residual is the unreported rest); `None` makes each total the exact sum of its lines.
    /// Lines shorter than the longest one, or a shorter total line, count as missing
    /// periods: those cells are not added.
    pub fn lines_by_period(
        &mut self,
        lines: &[Vec<u64>],
        total_line: Option<&[u64]>,
    ) -> LinesByPeriod {
        let periods = lines
            .iter()
            .map(Vec::len)
            .chain(total_line.map(<[u64]>::len))
            .max()
            .unwrap_or(0);
        let line_cells: Vec<Vec<usize>> = lines
            .iter()
            .map(|line| line.iter().map(|&value| self.cell(value)).collect())
            .collect();
        let mut totals = Vec::with_capacity(periods);
        for period in 0..periods {
            let parts: Vec<usize> = line_cells
                .iter()
                .filter_map(|line| line.get(period).copied())
                .collect();
            let total = match total_line {
                Some(reported) => match reported.get(period) {
                    Some(&value) => {
                        let total = self.cell(value);
                        self.relation(total, &parts);
                        total
                    }
                    None => continue,
                },
                None => self.sum_of(&parts),
            };
            totals.push(total);
        }
        LinesByPeriod {
            lines: line_cells,
            total_line: totals,
        }
    }

    /// The table, with every relation checked.
    pub fn build(self) -> Result<Table, DisclosureError> {
        let mut table = Table::new(self.cells, self.relations)?;
        table.hidden_elsewhere = self.hidden_elsewhere;
        Ok(table)
    }

    fn push(&mut self, cell: CellSpec) -> usize {
        self.cells.push(cell);
        self.cells.len() - 1
    }
}

/// Hides every cell below `threshold` and enough other cells that none of them, and no
/// residual below `threshold`, can be derived from the shown cells through the relations
/// of the table. See the module documentation for the model and its limits.
pub fn suppress(table: &Table, threshold: u64) -> Suppression {
    let cells = &table.cells;
    let mut status: Vec<Status> = cells
        .iter()
        .map(|cell| {
            if cell.value < threshold {
                Status::BelowThreshold
            } else {
                Status::Shown
            }
        })
        .collect();
    // Another table hides these: the reader does not know them, whatever their value.
    for &cell in &table.hidden_elsewhere {
        if status[cell] == Status::Shown {
            status[cell] = Status::Complementary;
        }
    }

    let mut ignored_relations = Vec::new();
    // The residual of each relation; `None` for ignored ones.
    let residuals: Vec<Option<u64>> = table
        .relations
        .iter()
        .enumerate()
        .map(|(index, relation)| {
            let parts: u128 = relation
                .parts
                .iter()
                .map(|&part| u128::from(cells[part].value))
                .sum();
            let total = u128::from(cells[relation.total].value);
            if parts > total {
                ignored_relations.push(IgnoredRelation {
                    relation: index,
                    excess: u64::try_from(parts - total).unwrap_or(u64::MAX),
                });
                None
            } else {
                // Σ parts ≤ total ≤ u64::MAX, so the difference fits.
                Some(u64::try_from(total - parts).expect("residual is at most the total"))
            }
        })
        .collect();

    let mut relations_of_cell: Vec<Vec<usize>> = vec![Vec::new(); cells.len()];
    for (index, relation) in table.relations.iter().enumerate() {
        if residuals[index].is_some() {
            relations_of_cell[relation.total].push(index);
            for &part in &relation.parts {
                relations_of_cell[part].push(index);
            }
        }
    }

    // The audit reads the relations in an order of their content, not of their position,
    // so that its choices (which combination, hence which complement) do not depend on the
    // order the caller gave them in.
    let mut canonical_order: Vec<usize> = (0..table.relations.len()).collect();
    let sorted_parts: Vec<Vec<usize>> = table
        .relations
        .iter()
        .map(|relation| {
            let mut parts = relation.parts.clone();
            parts.sort_unstable();
            parts
        })
        .collect();
    canonical_order.sort_by(|&a, &b| {
        (table.relations[a].total, &sorted_parts[a], a).cmp(&(
            table.relations[b].total,
            &sorted_parts[b],
            b,
        ))
    });

    let context = Context {
        table,
        residuals: &residuals,
        relations_of_cell: &relations_of_cell,
        canonical_order: &canonical_order,
        threshold,
    };
    let mut exposing = BTreeSet::new();
    let mut audit_complete = true;
    let determined = loop {
        protect_relations(&context, &mut status, &mut exposing);
        let audit = audit(&context, &status);
        audit_complete &= audit.complete;
        // A value that an unprotectable relation gives away on its own cannot be saved by
        // hiding cells elsewhere, so it gets no complement (that would only lose cells).
        let given_away = given_away_by(&context, &status, &exposing);
        let mut added = false;
        for &unknown in &audit.determined {
            if given_away.contains(&unknown) {
                continue;
            }
            // One complementary per determined unknown and round; the next round's audit
            // tells whether it was enough.
            if let Some(cell) = complement_for_unknown(&context, &status, &audit, unknown) {
                status[cell] = Status::Complementary;
                added = true;
            }
        }
        if !added {
            break audit.determined;
        }
    };

    let mut unprotected_relations: BTreeSet<usize> = (0..table.relations.len())
        .filter(|&relation| exposes(&context, &status, relation))
        .collect();
    let mut unprotected_cells = Vec::new();
    for unknown in determined {
        match unknown {
            Unknown::Cell(cell) => unprotected_cells.push(cell),
            Unknown::Residual(relation) => {
                unprotected_relations.insert(relation);
            }
        }
    }
    unprotected_cells.sort_unstable();

    Suppression {
        status,
        ignored_relations,
        unprotected_relations: unprotected_relations.into_iter().collect(),
        unprotected_cells,
        audit_complete,
    }
}

impl Suppression {
    /// Whether the reader does not see `cell`.
    pub fn is_suppressed(&self, cell: usize) -> bool {
        self.status
            .get(cell)
            .is_some_and(|status| status.is_suppressed())
    }

    /// The number of hidden cells, primary and complementary.
    pub fn suppressed_count(&self) -> usize {
        self.status
            .iter()
            .filter(|status| status.is_suppressed())
            .count()
    }
}

/// What the suppression loops need to know of the table, computed once.
struct Context<'a> {
    table: &'a Table,
    residuals: &'a [Option<u64>],
    relations_of_cell: &'a [Vec<usize>],
    /// Relation indices sorted by (total, sorted parts).
    canonical_order: &'a [usize],
    threshold: u64,
}

/// An unknown of the reader's linear system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Unknown {
    Cell(usize),
    /// The residual of a relation.
    Residual(usize),
}

/// Whether `relation` has exactly one unknown whose value it would give away.
fn exposes(context: &Context<'_>, status: &[Status], relation: usize) -> bool {
    let Some(residual) = context.residuals[relation] else {
        return false;
    };
    let spec = &context.table.relations[relation];
    let hidden = std::iter::once(&spec.total)
        .chain(&spec.parts)
        .filter(|&&cell| status[cell].is_suppressed())
        .count();
    match hidden {
        0 => residual > 0 && residual < context.threshold,
        1 => residual == 0,
        _ => false,
    }
}

/// The unknowns that the exposing relations in `relations` give away on their own.
fn given_away_by(
    context: &Context<'_>,
    status: &[Status],
    relations: &BTreeSet<usize>,
) -> BTreeSet<Unknown> {
    relations
        .iter()
        .filter(|&&relation| exposes(context, status, relation))
        .map(|&relation| {
            let spec = &context.table.relations[relation];
            std::iter::once(spec.total)
                .chain(spec.parts.iter().copied())
                .find(|&cell| status[cell].is_suppressed())
                .map_or(Unknown::Residual(relation), Unknown::Cell)
        })
        .collect()
}

/// The cell to hide in `relation`: the allowed, shown part with the smallest value (ties:
/// lowest index), else the total if allowed and shown.
fn complement_in_relation(
    context: &Context<'_>,
    status: &[Status],
    relation: usize,
) -> Option<usize> {
    let cells = &context.table.cells;
    let spec = &context.table.relations[relation];
    let available =
        |cell: &usize| !status[*cell].is_suppressed() && cells[*cell].complementary_allowed;
    spec.parts
        .iter()
        .copied()
        .filter(available)
        .min_by_key(|&cell| (cells[cell].value, cell))
        .or_else(|| Some(spec.total).filter(available))
}

/// Step 3 of the module documentation: hide one cell in each exposing relation, smallest
/// candidate first, until no relation exposes anything or only unprotectable ones do.
fn protect_relations(
    context: &Context<'_>,
    status: &mut [Status],
    unprotected: &mut BTreeSet<usize>,
) {
    // Exposing relations keyed by their candidate (value, cell), so the smallest candidate
    // of the whole table is served first whatever the order of the relations.
    let mut queue: BTreeSet<(u64, usize, usize)> = BTreeSet::new();
    let mut key_of: Vec<Option<(u64, usize, usize)>> = vec![None; context.table.relations.len()];
    let mut refresh = |relation: usize,
                       status: &[Status],
                       queue: &mut BTreeSet<(u64, usize, usize)>,
                       unprotected: &mut BTreeSet<usize>| {
        if let Some(key) = key_of[relation].take() {
            queue.remove(&key);
        }
        unprotected.remove(&relation);
        if exposes(context, status, relation) {
            match complement_in_relation(context, status, relation) {
                Some(cell) => {
                    let key = (context.table.cells[cell].value, cell, relation);
                    queue.insert(key);
                    key_of[relation] = Some(key);
                }
                None => {
                    unprotected.insert(relation);
                }
            }
        }
    };
    for relation in 0..context.table.relations.len() {
        refresh(relation, status, &mut queue, unprotected);
    }
    while let Some((_, cell, _)) = queue.pop_first() {
        status[cell] = Status::Complementary;
        for &relation in &context.relations_of_cell[cell] {
            refresh(relation, status, &mut queue, unprotected);
        }
    }
}

/// The cell to hide so that a determined unknown is no longer determined.
///
/// When `e_x = Σ λ_r row_r` gives the unknown `x` back, hiding a cell `c` can only help if
/// `Σ λ_r a_rc ≠ 0` (`a_rc` the coefficient of `c` in relation `r`): otherwise the same
/// combination still gives `x`. So the candidates are the shown, allowed cells of the
/// relations of one such combination that pass this test; the smallest is chosen (ties:
/// lowest index). The next audit confirms it, since other combinations may remain. Should
/// no cell pass (or the combination not be computable), the smallest candidate of the
/// relations holding `x` is taken instead.
fn complement_for_unknown(
    context: &Context<'_>,
    status: &[Status],
    audit: &Audit,
    unknown: Unknown,
) -> Option<usize> {
    let cells = &context.table.cells;
    let by_value = |&cell: &usize| (cells[cell].value, cell);
    let combination = audit
        .unknowns
        .iter()
        .position(|&other| other == unknown)
        .and_then(|column| revealing_combination(&audit.rows, audit.unknowns.len(), column));
    if let Some(combination) = combination {
        let mut weight_of_relation: Vec<Option<Rational>> =
            vec![None; context.table.relations.len()];
        for &(row, weight) in &combination {
            weight_of_relation[audit.row_relations[row]] = Some(weight);
        }
        let breaks_combination = |cell: usize| {
            let mut sum = Some(Rational::ZERO);
            for &relation in &context.relations_of_cell[cell] {
                if let Some(weight) = weight_of_relation[relation] {
                    let term = if context.table.relations[relation].total == cell {
                        Some(weight)
                    } else {
                        weight.neg()
                    };
                    sum = sum.zip(term).and_then(|(sum, term)| sum.add(term));
                }
            }
            // An overflow proves nothing either way: keep the cell as a candidate.
            sum.is_none_or(|sum| !sum.is_zero())
        };
        let chosen = combination
            .iter()
            .flat_map(|&(row, _)| {
                let spec = &context.table.relations[audit.row_relations[row]];
                std::iter::once(spec.total).chain(spec.parts.iter().copied())
            })
            .filter(|&cell| !status[cell].is_suppressed() && cells[cell].complementary_allowed)
            .filter(|&cell| breaks_combination(cell))
            .min_by_key(by_value);
        if chosen.is_some() {
            return chosen;
        }
    }
    let single;
    let relations: &[usize] = match unknown {
        Unknown::Cell(cell) => &context.relations_of_cell[cell],
        Unknown::Residual(relation) => {
            single = [relation];
            &single
        }
    };
    relations
        .iter()
        .filter_map(|&relation| complement_in_relation(context, status, relation))
        .min_by_key(by_value)
}

/// Weights `λ` over the equation rows with `Σ λ_i row_i = e_column`, as (row, weight) pairs
/// with nonzero weights; `None` when the column is not determined or on overflow.
///
/// Solves the transposed system `Aᵀ λ = e_column` with the same exact elimination, the
/// right-hand side as one more column, and free weights set to zero.
fn revealing_combination(rows: &[SparseRow], columns: usize, column: usize) -> Option<SparseRow> {
    let right_hand_side = rows.len();
    let mut transposed: Vec<SparseRow> = vec![Vec::new(); columns];
    for (index, row) in rows.iter().enumerate() {
        for &(unknown, value) in row {
            transposed[unknown].push((index, value));
        }
    }
    transposed[column].push((right_hand_side, Rational::ONE));
    let pivots = reduced_row_echelon(transposed, right_hand_side + 1)?;
    if pivots[right_hand_side].is_some() {
        // A pivot on the right-hand side means no solution.
        return None;
    }
    Some(
        pivots[..right_hand_side]
            .iter()
            .enumerate()
            .filter_map(|(index, row)| {
                let row = row.as_ref()?;
                let &(last, weight) = row.last()?;
                (last == right_hand_side).then_some((index, weight))
            })
            .collect(),
    )
}

/// The result of the linear audit.
struct Audit {
    /// Sensitive unknowns with one value in every solution, in order.
    determined: Vec<Unknown>,
    /// The unknowns, by column.
    unknowns: Vec<Unknown>,
    /// The equation rows before elimination, and the relation of each.
    rows: Vec<SparseRow>,
    row_relations: Vec<usize>,
    complete: bool,
}

/// Step 4 of the module documentation: the unknowns every solution of the relations fixes.
///
/// The unknowns are the hidden cells and the positive residuals; each relation with an
/// unknown is the row `total − Σ parts − residual = shown values`. An unknown is determined
/// exactly when the unit vector on it lies in the row space, that is when its column is a
/// pivot of the reduced row echelon form and its pivot row has no other nonzero entry.
/// Only the coefficient matrix matters, not the right-hand sides.
fn audit(context: &Context<'_>, status: &[Status]) -> Audit {
    let table = context.table;
    // Column numbers: hidden cells first, by index, then residuals, by relation in
    // canonical order.
    let mut column_of_cell = vec![usize::MAX; table.cells.len()];
    let mut unknowns: Vec<Unknown> = Vec::new();
    for (cell, cell_status) in status.iter().enumerate() {
        if cell_status.is_suppressed() {
            column_of_cell[cell] = unknowns.len();
            unknowns.push(Unknown::Cell(cell));
        }
    }
    let mut rows: Vec<SparseRow> = Vec::new();
    let mut row_relations = Vec::new();
    for &index in context.canonical_order {
        let relation = &table.relations[index];
        let Some(residual) = context.residuals[index] else {
            continue;
        };
        let mut row: SparseRow = Vec::new();
        if status[relation.total].is_suppressed() {
            row.push((column_of_cell[relation.total], Rational::ONE));
        }
        for &part in &relation.parts {
            if status[part].is_suppressed() {
                row.push((column_of_cell[part], Rational::MINUS_ONE));
            }
        }
        if residual > 0 {
            row.push((unknowns.len(), Rational::MINUS_ONE));
            unknowns.push(Unknown::Residual(index));
        }
        if !row.is_empty() {
            row.sort_by_key(|&(column, _)| column);
            rows.push(row);
            row_relations.push(index);
        }
    }

    let Some(pivots) = reduced_row_echelon(rows.clone(), unknowns.len()) else {
        return Audit {
            determined: Vec::new(),
            unknowns,
            rows,
            row_relations,
            complete: false,
        };
    };
    let determined = pivots
        .iter()
        .enumerate()
        .filter_map(|(column, row)| {
            let row = row.as_ref()?;
            (row.len() == 1).then_some(unknowns[column])
        })
        .filter(|unknown| match *unknown {
            Unknown::Cell(_) => true,
            // A residual at or above the threshold may be derived.
            Unknown::Residual(relation) => {
                context.residuals[relation].is_some_and(|residual| residual < context.threshold)
            }
        })
        .collect();
    Audit {
        determined,
        unknowns,
        rows,
        row_relations,
        complete: true,
    }
}

/// A row of the reader's equations: (column, coefficient) pairs sorted by column, no zeros.
type SparseRow = Vec<(usize, Rational)>;

/// Gauss–Jordan elimination on sparse rows (sorted by column) with exact rationals. Returns,
/// for each column, its pivot row in reduced row echelon form (pivot normalised to 1), or
/// `None` on arithmetic overflow.
fn reduced_row_echelon(rows: Vec<SparseRow>, columns: usize) -> Option<Vec<Option<SparseRow>>> {
    let mut pivots: Vec<Option<SparseRow>> = vec![None; columns];
    // Forward: each row is reduced by the pivots of its leading columns until its leading
    // column is new.
    for mut row in rows {
        while let Some(&(lead, coefficient)) = row.first() {
            match &pivots[lead] {
                Some(pivot) => row = axpy(&row, coefficient.neg()?, pivot)?,
                None => {
                    let inverse = coefficient.inverse()?;
                    let normalised = row
                        .iter()
                        .map(|&(column, value)| Some((column, value.mul(inverse)?)))
                        .collect::<Option<Vec<_>>>()?;
                    pivots[lead] = Some(normalised);
                    break;
                }
            }
        }
    }
    // Backward: from the last pivot column to the first, clear every later pivot column
    // from the row. Later pivot rows are already reduced, so one pass per column suffices.
    for column in (0..columns).rev() {
        let Some(mut row) = pivots[column].take() else {
            continue;
        };
        let mut position = 1;
        while position < row.len() {
            let (other, coefficient) = row[position];
            match &pivots[other] {
                Some(pivot) => {
                    row = axpy(&row, coefficient.neg()?, pivot)?;
                    // `other` is gone from the row; entries before it are unchanged.
                }
                None => position += 1,
            }
        }
        pivots[column] = Some(row);
    }
    Some(pivots)
}

/// `row + factor × pivot`, dropping zeros; both sorted by column.
fn axpy(
    row: &[(usize, Rational)],
    factor: Rational,
    pivot: &[(usize, Rational)],
) -> Option<Vec<(usize, Rational)>> {
    let mut result = Vec::with_capacity(row.len() + pivot.len());
    let (mut i, mut j) = (0, 0);
    while i < row.len() || j < pivot.len() {
        let next = match (row.get(i), pivot.get(j)) {
            (Some(&(a, x)), Some(&(b, y))) if a == b => {
                i += 1;
                j += 1;
                (a, x.add(factor.mul(y)?)?)
            }
            (Some(&(a, x)), Some(&(b, _))) if a < b => {
                i += 1;
                (a, x)
            }
            (Some(&(a, x)), None) => {
                i += 1;
                (a, x)
            }
            (_, Some(&(b, y))) => {
                j += 1;
                (b, factor.mul(y)?)
            }
            (None, None) => unreachable!("the loop runs while one side has entries"),
        };
        if !next.1.is_zero() {
            result.push(next);
        }
    }
    Some(result)
}

/// An exact fraction in lowest terms with a positive denominator; every operation is
/// checked and returns `None` on overflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rational {
    numerator: i128,
    denominator: i128,
}

impl Rational {
    const ZERO: Rational = Rational {
        numerator: 0,
        denominator: 1,
    };
    const ONE: Rational = Rational {
        numerator: 1,
        denominator: 1,
    };
    const MINUS_ONE: Rational = Rational {
        numerator: -1,
        denominator: 1,
    };

    fn new(numerator: i128, denominator: i128) -> Option<Rational> {
        let divisor = gcd(numerator, denominator);
        let (mut numerator, mut denominator) = (
            numerator.checked_div(divisor)?,
            denominator.checked_div(divisor)?,
        );
        if denominator < 0 {
            numerator = numerator.checked_neg()?;
            denominator = denominator.checked_neg()?;
        }
        Some(Rational {
            numerator,
            denominator,
        })
    }

    fn is_zero(self) -> bool {
        self.numerator == 0
    }

    fn neg(self) -> Option<Rational> {
        Some(Rational {
            numerator: self.numerator.checked_neg()?,
            denominator: self.denominator,
        })
    }

    fn inverse(self) -> Option<Rational> {
        Rational::new(self.denominator, self.numerator)
    }

    fn mul(self, other: Rational) -> Option<Rational> {
        Rational::new(
            self.numerator.checked_mul(other.numerator)?,
            self.denominator.checked_mul(other.denominator)?,
        )
    }

    fn add(self, other: Rational) -> Option<Rational> {
        Rational::new(
            self.numerator
                .checked_mul(other.denominator)?
                .checked_add(other.numerator.checked_mul(self.denominator)?)?,
            self.denominator.checked_mul(other.denominator)?,
        )
    }
}

/// Greatest common divisor, never zero (so it can divide), of two numbers not both `i128::MIN`.
fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    i128::try_from(a.max(1)).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reduces rows given as (column, ±1) pairs and returns the columns that every solution
    /// fixes.
    fn check(rows: &[&[(usize, i128)]], columns: usize, expected: &[usize]) {
        let rows = rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(|&(column, value)| (column, Rational::new(value, 1).expect("small")))
                    .collect()
            })
            .collect();
        let pivots = reduced_row_echelon(rows, columns).expect("no overflow on small rows");
        let determined: Vec<usize> = (0..columns)
            .filter(|&column| pivots[column].as_ref().is_some_and(|row| row.len() == 1))
            .collect();
        assert_eq!(determined, expected);
    }

    #[test]
    fn elimination_finds_what_single_relations_hide() {
        // x0 + x1 = a and x0 + x1 + x2 = b fix x2 only.
        check(&[&[(0, 1), (1, 1)], &[(0, 1), (1, 1), (2, 1)]], 3, &[2]);
        // A 2 × 2 rectangle of hidden cells in a table with margins fixes nothing.
        check(
            &[
                &[(0, 1), (1, 1)],
                &[(2, 1), (3, 1)],
                &[(0, 1), (2, 1)],
                &[(1, 1), (3, 1)],
            ],
            4,
            &[],
        );
        // One unknown alone in a relation is fixed; a repeated relation adds nothing.
        check(&[&[(1, -1)], &[(1, -1)], &[(0, 1), (2, -1)]], 3, &[1]);
        // Fractions appear when a pivot is not 1: 2 x0 + x1 = a, x1 = b.
        check(&[&[(0, 2), (1, 1)], &[(1, 1)]], 2, &[0, 1]);
    }

    #[test]
    fn the_revealing_combination_names_the_relations_to_break() {
        let one = Rational::ONE;
        let minus_one = Rational::MINUS_ONE;
        // x0 + x1 = a, x0 + x1 + x2 = b: x2 = b − a.
        let rows = vec![vec![(0, one), (1, one)], vec![(0, one), (1, one), (2, one)]];
        assert_eq!(
            revealing_combination(&rows, 3, 2),
            Some(vec![(0, minus_one), (1, one)])
        );
        // x0 is not determined, so there is no combination.
        assert_eq!(revealing_combination(&rows, 3, 0), None);
    }

    #[test]
    fn a_cell_hidden_elsewhere_stays_hidden_and_is_protected_like_a_hidden_cell() {
        // A year total of 40 hidden by another response (as the complement of a small
        // count there), and its two halves of 30 and 10 shown here: the reader would get 40
        // back by adding them, so one half is hidden; nothing is counted as shown.
        let mut builder = Table::builder();
        let year = builder.cell_hidden_elsewhere(40);
        let first = builder.cell(30);
        let second = builder.cell(10);
        builder.relation(year, &[first, second]);
        let table = builder.build().expect("indices come from the builder");
        assert_eq!(table.hidden_elsewhere(), &[year]);
        let suppression = suppress(&table, DEFAULT_THRESHOLD);
        assert_eq!(suppression.status[year], Status::Complementary);
        assert_eq!(suppression.status[first], Status::Shown);
        assert_eq!(suppression.status[second], Status::Complementary);
        assert!(suppression.unprotected_cells.is_empty());
        assert!(suppression.unprotected_relations.is_empty());

        // Below the threshold it reads as `<5`, and it is never chosen as a complement.
        let mut builder = Table::builder();
        let total = builder.cell_published_elsewhere(12);
        let small = builder.cell_hidden_elsewhere(3);
        let large = builder.cell_published_elsewhere(9);
        builder.relation(total, &[small, large]);
        let suppression = suppress(&builder.build().expect("valid"), DEFAULT_THRESHOLD);
        assert_eq!(suppression.status[small], Status::BelowThreshold);
        assert_eq!(suppression.unprotected_cells, vec![small]);
    }

    #[test]
    fn rationals_stay_in_lowest_terms_with_a_positive_denominator() {
        let half = Rational::new(-2, -4).expect("small");
        assert_eq!((half.numerator, half.denominator), (1, 2));
        let sum = half
            .add(Rational::new(1, -3).expect("small"))
            .expect("small");
        assert_eq!((sum.numerator, sum.denominator), (1, 6));
        assert_eq!(
            Rational::new(i128::MAX, 1).and_then(|x| x.add(Rational::ONE)),
            None
        );
    }
}
