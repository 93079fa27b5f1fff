//! Small-count suppression: no count below the threshold is shown, and none can be derived
//! from the shown cells, checked by two independent attackers on realistic and random tables.

use corredor_analytics::disclosure::{
    suppress, CellSpec, DisclosureError, IgnoredRelation, Relation, Status, Suppression, Table,
    DEFAULT_THRESHOLD,
};
use proptest::prelude::*;

/// Monthly crossings of the Darién by nationality in one year, shaped like the published
/// figures of Panama's migration service: Venezuelans in the thousands, Ecuadorians and
/// Haitians in the hundreds, a few nationalities with 0–4 in most months.
fn darien_year() -> Vec<(&'static str, Vec<u64>)> {
    vec![
        (
            "VEN",
            vec![
                13_418, 18_009, 21_343, 25_000, 20_500, 18_100, 38_000, 55_000, 45_000, 21_000,
                16_500, 13_000,
            ],
        ),
        (
            "ECU",
            vec![
                4_132, 4_866, 4_700, 5_200, 4_100, 3_300, 3_900, 4_800, 3_700, 2_900, 2_100, 1_900,
            ],
        ),
        (
            "HTI",
            vec![
                2_600, 2_900, 3_700, 4_500, 3_200, 3_900, 4_600, 5_200, 4_200, 2_200, 1_900, 1_700,
            ],
        ),
        (
            "CHN",
            vec![
                1_300, 1_800, 2_100, 2_500, 2_300, 1_900, 2_400, 2_700, 2_100, 1_600, 1_500, 1_200,
            ],
        ),
        (
            "COL",
            vec![450, 520, 610, 700, 640, 580, 720, 830, 690, 510, 430, 390],
        ),
        (
            "AFG",
            vec![120, 95, 140, 160, 4, 130, 150, 170, 110, 90, 85, 80],
        ),
        ("IND", vec![60, 75, 52, 90, 85, 70, 0, 95, 66, 58, 41, 37]),
        ("CMR", vec![3, 0, 12, 1, 0, 4, 9, 2, 0, 3, 1, 0]),
        ("AGO", vec![0, 2, 0, 0, 6, 1, 0, 0, 3, 0, 0, 2]),
    ]
}

/// Lines by month with an exact total line, a year total per line and for the total line,
/// and the grand total as the sum of the line years.
fn darien_table() -> Table {
    let lines: Vec<Vec<u64>> = darien_year().into_iter().map(|(_, line)| line).collect();
    let mut builder = Table::builder();
    let block = builder.lines_by_period(&lines, None);
    let years: Vec<usize> = block
        .lines
        .iter()
        .map(|months| builder.sum_of(months))
        .collect();
    let grand = builder.sum_of(&block.total_line);
    builder.relation(grand, &years);
    builder
        .build()
        .expect("the builder names only its own cells")
}

/// An unknown of the reader's equations: a hidden cell or the residual of a relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unknown {
    Cell(usize),
    Residual(usize),
}

/// Residual of each relation the reader can trust (`None` when the parts exceed the total).
fn residuals(table: &Table) -> Vec<Option<u64>> {
    table
        .relations()
        .iter()
        .map(|relation| {
            let parts: u64 = relation
                .parts
                .iter()
                .map(|&part| table.cells()[part].value)
                .sum();
            table.cells()[relation.total].value.checked_sub(parts)
        })
        .collect()
}

/// The first attacker: any relation with a single unknown gives it away; known values feed
/// the next pass, until nothing more is learnt. Returns the cells and the residuals below
/// the threshold learnt this way.
fn revealed_by_substitution(table: &Table, hidden: &[bool], threshold: u64) -> Vec<Unknown> {
    let residuals = residuals(table);
    let mut known_cell: Vec<bool> = hidden.iter().map(|&hidden| !hidden).collect();
    let mut known_residual: Vec<bool> = residuals.iter().map(|r| *r == Some(0)).collect();
    let mut revealed = Vec::new();
    loop {
        let mut learnt = false;
        for (index, relation) in table.relations().iter().enumerate() {
            let Some(residual) = residuals[index] else {
                continue;
            };
            let mut unknown_cells: Vec<usize> = std::iter::once(relation.total)
                .chain(relation.parts.iter().copied())
                .filter(|&cell| !known_cell[cell])
                .collect();
            let residual_unknown = !known_residual[index];
            match (unknown_cells.len(), residual_unknown) {
                (1, false) => {
                    let cell = unknown_cells.remove(0);
                    known_cell[cell] = true;
                    revealed.push(Unknown::Cell(cell));
                    learnt = true;
                }
                (0, true) => {
                    known_residual[index] = true;
                    if residual < threshold {
                        revealed.push(Unknown::Residual(index));
                    }
                    learnt = true;
                }
                _ => {}
            }
        }
        if !learnt {
            return revealed;
        }
    }
}

/// The second attacker, independent of the module's own audit: an unknown is determined
/// when adding its unit row to the equations does not raise their rank (floating-point
/// elimination is exact enough on small matrices of 0 and ±1).
fn determined_by_linear_algebra(table: &Table, hidden: &[bool], threshold: u64) -> Vec<Unknown> {
    let residuals = residuals(table);
    let mut unknowns: Vec<Unknown> = (0..hidden.len())
        .filter(|&cell| hidden[cell])
        .map(Unknown::Cell)
        .collect();
    for (index, residual) in residuals.iter().enumerate() {
        if residual.is_some_and(|r| r > 0) {
            unknowns.push(Unknown::Residual(index));
        }
    }
    let column = |unknown: Unknown| unknowns.iter().position(|&u| u == unknown);
    let mut matrix: Vec<Vec<f64>> = Vec::new();
    for (index, relation) in table.relations().iter().enumerate() {
        if residuals[index].is_none() {
            continue;
        }
        let mut row = vec![0.0; unknowns.len()];
        if let Some(c) = column(Unknown::Cell(relation.total)) {
            row[c] = 1.0;
        }
        for &part in &relation.parts {
            if let Some(c) = column(Unknown::Cell(part)) {
                row[c] = -1.0;
            }
        }
        if let Some(c) = column(Unknown::Residual(index)) {
            row[c] = -1.0;
        }
        matrix.push(row);
    }
    let base = rank(matrix.clone());
    unknowns
        .iter()
        .enumerate()
        .filter(|&(_, unknown)| match *unknown {
            Unknown::Cell(_) => true,
            Unknown::Residual(index) => residuals[index].is_some_and(|r| r < threshold),
        })
        .filter(|&(c, _)| {
            let mut extended = matrix.clone();
            let mut unit = vec![0.0; unknowns.len()];
            unit[c] = 1.0;
            extended.push(unit);
            rank(extended) == base
        })
        .map(|(_, &unknown)| unknown)
        .collect()
}

fn rank(mut matrix: Vec<Vec<f64>>) -> usize {
    let columns = matrix.first().map_or(0, Vec::len);
    let mut rank = 0;
    for column in 0..columns {
        let Some(pivot) = (rank..matrix.len())
            .max_by(|&a, &b| matrix[a][column].abs().total_cmp(&matrix[b][column].abs()))
        else {
            break;
        };
        if matrix[pivot][column].abs() < 1e-9 {
            continue;
        }
        matrix.swap(rank, pivot);
        let pivot_row = matrix[rank].clone();
        for (index, row) in matrix.iter_mut().enumerate() {
            if index != rank {
                let factor = row[column] / pivot_row[column];
                for (value, pivot_value) in row[column..].iter_mut().zip(&pivot_row[column..]) {
                    *value -= factor * pivot_value;
                }
            }
        }
        rank += 1;
    }
    rank
}

fn hidden(suppression: &Suppression) -> Vec<bool> {
    suppression
        .status
        .iter()
        .map(|s| s.is_suppressed())
        .collect()
}

/// Whether a relation has exactly one unknown that it gives away.
fn exposing_relations(table: &Table, suppression: &Suppression, threshold: u64) -> Vec<usize> {
    let residuals = residuals(table);
    table
        .relations()
        .iter()
        .enumerate()
        .filter(|&(index, relation)| {
            let Some(residual) = residuals[index] else {
                return false;
            };
            let hidden = std::iter::once(&relation.total)
                .chain(&relation.parts)
                .filter(|&&cell| suppression.is_suppressed(cell))
                .count();
            (hidden == 1 && residual == 0) || (hidden == 0 && residual > 0 && residual < threshold)
        })
        .map(|(index, _)| index)
        .collect()
}

/// The invariants every suppression must keep on a table whose cells may all be hidden.
fn assert_protected(table: &Table, suppression: &Suppression, threshold: u64) {
    assert_eq!(suppression.status.len(), table.cells().len());
    for (cell, (spec, status)) in table.cells().iter().zip(&suppression.status).enumerate() {
        match status {
            Status::Shown => assert!(spec.value >= threshold, "cell {cell} shows {}", spec.value),
            Status::BelowThreshold => assert!(spec.value < threshold, "cell {cell}"),
            Status::Complementary => {
                assert!(spec.value >= threshold, "cell {cell}");
                assert!(
                    spec.complementary_allowed,
                    "cell {cell} is published elsewhere"
                );
            }
        }
    }
    assert_eq!(
        exposing_relations(table, suppression, threshold),
        Vec::<usize>::new()
    );
    let hidden = hidden(suppression);
    assert_eq!(revealed_by_substitution(table, &hidden, threshold), vec![]);
    assert_eq!(
        determined_by_linear_algebra(table, &hidden, threshold),
        vec![]
    );
    assert!(suppression.audit_complete);
    assert!(suppression.unprotected_relations.is_empty());
    assert!(suppression.unprotected_cells.is_empty());
}

#[test]
fn a_darien_year_by_nationality_shows_no_count_below_five_and_reveals_none() {
    let table = darien_table();
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_protected(&table, &suppression, DEFAULT_THRESHOLD);

    let primary = table
        .cells()
        .iter()
        .filter(|cell| cell.value < DEFAULT_THRESHOLD)
        .count();
    let complementary = suppression
        .status
        .iter()
        .filter(|s| **s == Status::Complementary)
        .count();
    // 23 counts below five; protecting them costs some cells, but Venezuelan months stay
    // visible and the table is far from blanked.
    assert_eq!(primary, 23);
    assert!(complementary > 0);
    assert!(suppression.suppressed_count() < table.cells().len() / 2);
    let venezuela = &suppression.status[0..12];
    assert!(venezuela.iter().all(|s| *s == Status::Shown));
}

#[test]
fn the_same_table_gives_the_same_suppression_whatever_the_order_of_its_relations() {
    let table = darien_table();
    let mut relations = table.relations().to_vec();
    relations.reverse();
    relations.rotate_left(3);
    let shuffled = Table::new(table.cells().to_vec(), relations).expect("same relations");
    assert_eq!(
        suppress(&table, DEFAULT_THRESHOLD).status,
        suppress(&shuffled, DEFAULT_THRESHOLD).status
    );
}

#[test]
fn one_small_cell_in_a_partition_gets_the_smallest_other_part_as_complement() {
    let mut builder = Table::builder();
    let under_5 = builder.cell(3);
    let from_5_to_11 = builder.cell(40);
    let from_12_to_17 = builder.cell(25);
    let children = builder.sum_of(&[under_5, from_5_to_11, from_12_to_17]);
    let table = builder.build().expect("valid table");
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_eq!(
        suppression.status,
        vec![
            Status::BelowThreshold,
            Status::Shown,
            Status::Complementary,
            Status::Shown
        ]
    );
    assert_eq!(table.cells()[children].value, 68);
    assert_protected(&table, &suppression, DEFAULT_THRESHOLD);
}

#[test]
fn complementary_suppression_cascades_through_the_age_hierarchy() {
    // 0-17 = 0-4 + 5-11 + 12-17, 18+ = 18-59 + 60+, all = 0-17 + 18+.
    let mut builder = Table::builder();
    let under_5 = builder.cell(2);
    let from_5_to_11 = builder.cell(30);
    let from_12_to_17 = builder.cell(45);
    let from_18_to_59 = builder.cell(700);
    let over_60 = builder.cell(12);
    let children = builder.sum_of(&[under_5, from_5_to_11, from_12_to_17]);
    let adults = builder.sum_of(&[from_18_to_59, over_60]);
    let all = builder.sum_of(&[children, adults]);
    let table = builder.build().expect("valid table");
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_protected(&table, &suppression, DEFAULT_THRESHOLD);
    // 5-11 is the smallest other part of the children; nothing else is needed because the
    // children total stays shown.
    assert_eq!(suppression.status[from_5_to_11], Status::Complementary);
    assert_eq!(suppression.suppressed_count(), 2);
    assert_eq!(suppression.status[all], Status::Shown);
}

#[test]
fn a_residual_of_three_forces_a_complement_and_a_residual_of_forty_does_not() {
    // Costa Rica reports 103 arrivals and names two nationalities: the other 3 are small.
    let mut builder = Table::builder();
    let venezuela = builder.cell(60);
    let ecuador = builder.cell(40);
    let total = builder.cell(103);
    builder.relation(total, &[venezuela, ecuador]);
    let table = builder.build().expect("valid table");
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_eq!(
        suppression.status,
        vec![Status::Shown, Status::Complementary, Status::Shown]
    );
    assert_protected(&table, &suppression, DEFAULT_THRESHOLD);

    let mut builder = Table::builder();
    let venezuela = builder.cell(60);
    let ecuador = builder.cell(40);
    let total = builder.cell(140);
    builder.relation(total, &[venezuela, ecuador]);
    let table = builder.build().expect("valid table");
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_eq!(suppression.suppressed_count(), 0);
}

#[test]
fn a_small_part_with_a_residual_is_already_protected_by_the_residual() {
    // 140 = 3 + 97 + 40 unreported: the reader has 3 + residual = 43, two unknowns.
    let mut builder = Table::builder();
    let haiti = builder.cell(3);
    let venezuela = builder.cell(97);
    let total = builder.cell(140);
    builder.relation(total, &[haiti, venezuela]);
    let table = builder.build().expect("valid table");
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_eq!(suppression.suppressed_count(), 1);
    assert_protected(&table, &suppression, DEFAULT_THRESHOLD);
}

#[test]
fn a_cell_published_elsewhere_is_never_chosen_as_complement() {
    // 6 is shown by another response under primary-only rules (it is not below five), so
    // hiding it here would protect nothing: the next smallest part is hidden instead.
    let cells = vec![
        CellSpec {
            value: 4,
            complementary_allowed: true,
        },
        CellSpec {
            value: 6,
            complementary_allowed: false,
        },
        CellSpec {
            value: 300,
            complementary_allowed: true,
        },
        CellSpec {
            value: 310,
            complementary_allowed: true,
        },
    ];
    let table = Table::new(
        cells,
        vec![Relation {
            total: 3,
            parts: vec![0, 1, 2],
        }],
    )
    .expect("valid table");
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_eq!(
        suppression.status,
        vec![
            Status::BelowThreshold,
            Status::Shown,
            Status::Complementary,
            Status::Shown
        ]
    );
    assert_protected(&table, &suppression, DEFAULT_THRESHOLD);
}

#[test]
fn the_total_is_hidden_when_no_part_may_be() {
    let mut builder = Table::builder();
    let cameroon = builder.cell(2);
    let angola = builder.cell_published_elsewhere(50);
    let total = builder.cell(52);
    builder.relation(total, &[cameroon, angola]);
    let table = builder.build().expect("valid table");
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_eq!(
        suppression.status,
        vec![Status::BelowThreshold, Status::Shown, Status::Complementary]
    );
    assert_protected(&table, &suppression, DEFAULT_THRESHOLD);
}

#[test]
fn a_relation_that_only_cells_published_elsewhere_could_protect_is_reported() {
    let mut builder = Table::builder();
    let cameroon = builder.cell(2);
    let angola = builder.cell_published_elsewhere(50);
    let total = builder.cell_published_elsewhere(52);
    builder.relation(total, &[cameroon, angola]);
    let table = builder.build().expect("valid table");
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_eq!(
        suppression.status,
        vec![Status::BelowThreshold, Status::Shown, Status::Shown]
    );
    assert_eq!(suppression.unprotected_relations, vec![0]);
    assert_eq!(suppression.unprotected_cells, vec![cameroon]);
}

#[test]
fn an_inconsistent_relation_is_reported_and_not_trusted() {
    // The parts exceed the total (a late revision of one nationality): no equation holds,
    // so the small part is hidden without a complement and the relation is reported.
    let mut builder = Table::builder();
    let china = builder.cell(3);
    let india = builder.cell(9);
    let total = builder.cell(10);
    builder.relation(total, &[china, india]);
    let table = builder.build().expect("valid table");
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_eq!(
        suppression.status,
        vec![Status::BelowThreshold, Status::Shown, Status::Shown]
    );
    assert_eq!(
        suppression.ignored_relations,
        vec![IgnoredRelation {
            relation: 0,
            excess: 2
        }]
    );
}

#[test]
fn two_protected_blocks_joined_by_one_small_cell_do_not_give_it_back() {
    // A 4 × 4 table with row and column totals. Hidden cells (1,1) (1,2) (2,1) (2,2) and
    // (3,3) (3,4) (4,3) (4,4) form two rectangles, each row and column has two or three
    // unknowns, yet (2,3) = row 1 + row 2 − column 1 − column 2.
    let small = [
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
        (1, 2),
        (2, 2),
        (2, 3),
        (3, 2),
        (3, 3),
    ];
    let mut grid = vec![vec![0u64; 4]; 4];
    for (row, line) in grid.iter_mut().enumerate() {
        for (column, value) in line.iter_mut().enumerate() {
            *value = if small.contains(&(row, column)) {
                1 + ((row * 4 + column) % 4) as u64
            } else {
                100 + (row * 10 + column) as u64
            };
        }
    }
    let mut builder = Table::builder();
    let block = builder.lines_by_period(&grid, None);
    let row_totals: Vec<usize> = block
        .lines
        .iter()
        .map(|line| builder.sum_of(line))
        .collect();
    let grand = builder.sum_of(&block.total_line);
    builder.relation(grand, &row_totals);
    let table = builder.build().expect("valid table");

    let primary: Vec<bool> = table
        .cells()
        .iter()
        .map(|cell| cell.value < DEFAULT_THRESHOLD)
        .collect();
    let bridge = block.lines[1][2];
    assert_eq!(
        revealed_by_substitution(&table, &primary, DEFAULT_THRESHOLD),
        vec![]
    );
    assert_eq!(
        determined_by_linear_algebra(&table, &primary, DEFAULT_THRESHOLD),
        vec![Unknown::Cell(bridge)]
    );

    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_protected(&table, &suppression, DEFAULT_THRESHOLD);
    let complementary: Vec<usize> = (0..table.cells().len())
        .filter(|&cell| suppression.status[cell] == Status::Complementary)
        .collect();
    // One cell suffices: the smallest shown cell of the bridge's relations that lies in a
    // relation of the combination giving the bridge back (row 1).
    assert_eq!(complementary, vec![block.lines[0][2]]);
}

/// Children and all minors reported by two responses: `minors = girls + boys + unknown sex`
/// and `children_in_families = girls + boys`, so `unknown sex = minors − children_in_families`
/// although each relation has several hidden cells.
fn overlapping_totals(minors_published_elsewhere: bool) -> (Table, usize, usize) {
    let mut builder = Table::builder();
    let girls = builder.cell(3);
    let boys = builder.cell(4);
    let unknown_sex = builder.cell(2);
    let in_families = builder.cell_published_elsewhere(7);
    let minors = if minors_published_elsewhere {
        builder.cell_published_elsewhere(9)
    } else {
        builder.cell(9)
    };
    builder.relation(in_families, &[girls, boys]);
    builder.relation(minors, &[girls, boys, unknown_sex]);
    let table = builder.build().expect("valid table");
    (table, unknown_sex, minors)
}

#[test]
fn a_count_pinned_by_two_overlapping_totals_gets_one_of_them_hidden() {
    let (table, unknown_sex, minors) = overlapping_totals(false);
    let primary: Vec<bool> = table.cells().iter().map(|cell| cell.value < 5).collect();
    assert_eq!(revealed_by_substitution(&table, &primary, 5), vec![]);
    assert_eq!(
        determined_by_linear_algebra(&table, &primary, 5),
        vec![Unknown::Cell(unknown_sex)]
    );
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_eq!(suppression.status[minors], Status::Complementary);
    assert_protected(&table, &suppression, DEFAULT_THRESHOLD);
}

#[test]
fn a_count_pinned_by_totals_published_elsewhere_is_reported() {
    let (table, unknown_sex, _) = overlapping_totals(true);
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_eq!(suppression.unprotected_cells, vec![unknown_sex]);
    assert_eq!(suppression.suppressed_count(), 3);
}

#[test]
fn a_bad_relation_is_refused_with_its_index_and_cell() {
    let cells = vec![
        CellSpec {
            value: 10,
            complementary_allowed: true,
        };
        3
    ];
    let relation = |total, parts: &[usize]| Relation {
        total,
        parts: parts.to_vec(),
    };
    assert_eq!(
        Table::new(
            cells.clone(),
            vec![relation(2, &[0, 1]), relation(2, &[0, 7])]
        ),
        Err(DisclosureError::UnknownCell {
            relation: 1,
            cell: 7,
            cells: 3
        })
    );
    assert_eq!(
        Table::new(cells.clone(), vec![relation(2, &[0, 2])]),
        Err(DisclosureError::TotalAmongParts {
            relation: 0,
            cell: 2
        })
    );
    assert_eq!(
        Table::new(cells, vec![relation(2, &[1, 1])]),
        Err(DisclosureError::RepeatedPart {
            relation: 0,
            cell: 1
        })
    );
}

#[test]
fn a_reported_total_line_keeps_its_residual_per_period() {
    // Two named nationalities and a reported total per month; month 2 leaves 2 unnamed.
    let lines = vec![vec![500, 480, 510], vec![90, 85, 70]];
    let mut builder = Table::builder();
    let block = builder.lines_by_period(&lines, Some(&[640, 567, 580]));
    let table = builder.build().expect("valid table");
    let suppression = suppress(&table, DEFAULT_THRESHOLD);
    assert_eq!(suppression.suppressed_count(), 1);
    assert_eq!(suppression.status[block.lines[1][1]], Status::Complementary);
    assert_protected(&table, &suppression, DEFAULT_THRESHOLD);
}

/// A random lines × periods table: small counts in a third of the cells, a total line
/// (exact, or reported with residuals), year totals per line over blocks of periods, and
/// some totals published elsewhere.
fn hierarchical_table() -> impl Strategy<Value = Table> {
    (1usize..5, 2usize..7, 2usize..4, any::<bool>(), any::<u64>()).prop_flat_map(
        |(lines, periods, year_length, reported, seed)| {
            let values = proptest::collection::vec(
                prop_oneof![1 => 0u64..5, 2 => 5u64..400],
                lines * periods,
            );
            let residuals =
                proptest::collection::vec(prop_oneof![2 => Just(0u64), 1 => 0u64..50], periods);
            (values, residuals).prop_map(move |(values, residuals)| {
                let grid: Vec<Vec<u64>> = values.chunks(periods).map(<[u64]>::to_vec).collect();
                let mut builder = Table::builder();
                let block = if reported {
                    let totals: Vec<u64> = (0..periods)
                        .map(|p| grid.iter().map(|line| line[p]).sum::<u64>() + residuals[p])
                        .collect();
                    builder.lines_by_period(&grid, Some(&totals))
                } else {
                    builder.lines_by_period(&grid, None)
                };
                for (index, (line, values)) in block.lines.iter().zip(&grid).enumerate() {
                    for (year, year_values) in
                        line.chunks(year_length).zip(values.chunks(year_length))
                    {
                        if year.len() > 1 {
                            // Every so often the year total comes from another response.
                            if (seed >> (index % 64)) & 1 == 1 {
                                let total =
                                    builder.cell_published_elsewhere(year_values.iter().sum());
                                builder.relation(total, year);
                            } else {
                                builder.sum_of(year);
                            }
                        }
                    }
                }
                builder
                    .build()
                    .expect("the builder names only its own cells")
            })
        },
    )
}

proptest! {
    #[test]
    fn random_hierarchical_tables_reveal_no_small_count(table in hierarchical_table()) {
        let suppression = suppress(&table, DEFAULT_THRESHOLD);
        // Cells published elsewhere may leave values unprotectable: what is reported is
        // exactly what the attackers find, and everything else holds.
        let attacker = determined_by_linear_algebra(&table, &hidden(&suppression), DEFAULT_THRESHOLD);
        let attacker_cells: Vec<usize> = attacker
            .iter()
            .filter_map(|u| match *u {
                Unknown::Cell(cell) => Some(cell),
                Unknown::Residual(_) => None,
            })
            .collect();
        let mut reported_relations = exposing_relations(&table, &suppression, DEFAULT_THRESHOLD);
        reported_relations.extend(attacker.iter().filter_map(|u| match *u {
            Unknown::Residual(relation) => Some(relation),
            Unknown::Cell(_) => None,
        }));
        reported_relations.sort_unstable();
        reported_relations.dedup();
        prop_assert_eq!(&attacker_cells, &suppression.unprotected_cells);
        prop_assert_eq!(&reported_relations, &suppression.unprotected_relations);
        for (cell, (spec, status)) in table.cells().iter().zip(&suppression.status).enumerate() {
            match status {
                Status::Shown => prop_assert!(spec.value >= DEFAULT_THRESHOLD, "cell {}", cell),
                Status::BelowThreshold => prop_assert!(spec.value < DEFAULT_THRESHOLD),
                Status::Complementary => {
                    prop_assert!(spec.value >= DEFAULT_THRESHOLD);
                    prop_assert!(spec.complementary_allowed);
                }
            }
        }
        if suppression.unprotected_relations.is_empty() && suppression.unprotected_cells.is_empty() {
            assert_protected(&table, &suppression, DEFAULT_THRESHOLD);
        }
    }

    #[test]
    fn a_complement_is_hidden_only_next_to_another_unknown(table in hierarchical_table()) {
        let suppression = suppress(&table, DEFAULT_THRESHOLD);
        let residuals = residuals(&table);
        for (cell, status) in suppression.status.iter().enumerate() {
            if *status != Status::Complementary {
                continue;
            }
            // Chosen for a relation that had an unknown to protect: that relation still
            // holds another hidden cell or a small residual.
            let needed = table.relations().iter().enumerate().any(|(index, relation)| {
                let cells: Vec<usize> =
                    std::iter::once(relation.total).chain(relation.parts.iter().copied()).collect();
                cells.contains(&cell)
                    && residuals[index].is_some()
                    && (cells.iter().any(|&other| other != cell && suppression.is_suppressed(other))
                        || residuals[index].is_some_and(|r| r > 0 && r < DEFAULT_THRESHOLD))
            });
            prop_assert!(needed, "cell {} hidden with no unknown beside it", cell);
        }
    }

    #[test]
    fn a_table_without_small_counts_is_shown_whole(
        values in proptest::collection::vec(5u64..10_000, 2..30),
    ) {
        let lines: Vec<Vec<u64>> = values.chunks(3).map(<[u64]>::to_vec).collect();
        let mut builder = Table::builder();
        let block = builder.lines_by_period(&lines, None);
        for line in &block.lines {
            builder.sum_of(line);
        }
        let table = builder.build().expect("valid table");
        prop_assert_eq!(suppress(&table, DEFAULT_THRESHOLD).suppressed_count(), 0);
    }

    #[test]
    fn the_order_of_the_relations_does_not_change_the_result(
        (table, shuffled) in hierarchical_table().prop_flat_map(|table| {
            let relations = Just(table.relations().to_vec()).prop_shuffle();
            (Just(table), relations)
        }),
    ) {
        let shuffled = Table::new(table.cells().to_vec(), shuffled).expect("same relations");
        prop_assert_eq!(
            suppress(&table, DEFAULT_THRESHOLD).status,
            suppress(&shuffled, DEFAULT_THRESHOLD).status
        );
    }
}
