//! Spreadsheet files of the catalog, one row per SKU: the columns import reads and export writes,
//! reading CSV and xlsx into rows of text cells, and writing them back.
//!
//! Numbers in xlsx: a cell typed as a number arrives from calamine as a binary floating-point
//! value. It is turned into text once, by the shortest decimal that reads back as the same value
//! (Rust's `Display`), and then parsed exactly like a typed string (`Money::parse_yuan`, integer
//! parsing). A price typed as `12.5` therefore becomes "12.5" → 12.50 exactly, while a value that
//! is not a short decimal (`=0.1+0.2` gives 0.30000000000000004) has more than two decimals and
//! is refused as a bad row, never rounded.

use std::io::Cursor;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};

use crate::error::{catalogue::Context, AppError, ErrorCode, FieldError, Message, Text};

/// The largest upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;
/// The most data rows one file may hold.
pub const MAX_ROWS: usize = 100_000;

pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const CSV_MIME: &str = "text/csv";

crate::db::enums::db_enum! {
    #[derive(serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
    #[serde(rename_all = "lowercase")]
    pub enum Format {
        Csv,
        Xlsx,
    }
}

/// A column: a stable English key and the Chinese header. Headers are written as `商品名称 name`;
/// on import a header cell may be the Chinese name, the key, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub key: &'static str,
    pub zh: &'static str,
    pub required: bool,
}

pub const NAME: usize = 0;
pub const CATEGORY: usize = 1;
pub const SPECS: usize = 2;
pub const SKU_CODE: usize = 3;
pub const BARCODE: usize = 4;
pub const WEIGHT: usize = 5;
pub const PRICE: usize = 6;
pub const STOCK: usize = 7;
pub const DISTRIBUTOR_PRICES: usize = 8;
pub const FREIGHT_TEMPLATE: usize = 9;

/// How many columns the files have.
pub const COLUMN_COUNT: usize = 10;

pub const COLUMNS: [Column; COLUMN_COUNT] = [
    Column {
        key: "name",
        zh: "商品名称",
        required: true,
    },
    Column {
        key: "category",
        zh: "分类",
        required: false,
    },
    Column {
        key: "specs",
        zh: "规格",
        required: false,
    },
    Column {
        key: "sku_code",
        zh: "SKU编码",
        required: true,
    },
    Column {
        key: "barcode",
        zh: "条码",
        required: false,
    },
    Column {
        key: "weight_grams",
        zh: "重量(克)",
        required: false,
    },
    Column {
        key: "retail_price",
        zh: "零售价",
        required: true,
    },
    Column {
        key: "stock",
        zh: "库存",
        required: false,
    },
    // Purchase price per distributor tier, by tier name: `金牌:80.00;银牌:90`.
    Column {
        key: "distributor_prices",
        zh: "分销进货价",
        required: false,
    },
    // The product's freight template, by name; empty for the store's default template.
    Column {
        key: "freight_template",
        zh: "运费模板",
        required: false,
    },
];

pub fn header_text(column: &Column) -> String {
    format!("{} {}", column.zh, column.key)
}

/// One data row: its number as the spreadsheet shows it (the header is row 1) and its cells in
/// file order; a cell that cannot be read as text carries the reason instead.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub number: u32,
    pub cells: Vec<Result<String, Text>>,
}

#[derive(Debug, Clone)]
pub struct Sheet {
    pub header_row: u32,
    pub header: Vec<String>,
    pub rows: Vec<RawRow>,
}

/// An error of the row and column it concerns: the reason put in the `sheet_cell` context.
pub fn row_error(row: u32, column: &Column, reason: impl Into<Message>) -> FieldError {
    FieldError::new(
        format!("rows[{row}].{}", column.key),
        reason
            .into()
            .arg("row", row)
            .arg("column_zh", column.zh)
            .arg("column_key", column.key)
            .within(Context::SheetCell),
    )
}

fn bad_file(message: impl Into<Message>) -> AppError {
    AppError::field("file", message)
}

pub fn is_zip(body: &[u8]) -> bool {
    body.starts_with(b"PK\x03\x04")
}

pub fn read(format: Format, body: &[u8]) -> Result<Sheet, AppError> {
    let sheet = match format {
        Format::Csv => read_csv(body)?,
        Format::Xlsx => read_xlsx(body)?,
    };
    if sheet.rows.len() > MAX_ROWS {
        return Err(bad_file(ErrorCode::InvalidFile.arg("max_rows", MAX_ROWS)));
    }
    Ok(sheet)
}

fn read_csv(body: &[u8]) -> Result<Sheet, AppError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(body);
    let mut header: Option<(u32, Vec<String>)> = None;
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let record = record.map_err(|e| match e.kind() {
            csv::ErrorKind::Utf8 { .. } => bad_file(
                ErrorCode::InvalidFile
                    .form("row_number_utf")
                    .arg("number", number),
            ),
            _ => bad_file(
                ErrorCode::InvalidFile
                    .form("row_number_cannot")
                    .arg("number", number),
            ),
        })?;
        let cells: Vec<String> = record.iter().map(|c| undefuse(c.trim())).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        if header.is_none() {
            header = Some((number, cells));
        } else {
            rows.push(RawRow {
                number,
                cells: cells.into_iter().map(Ok).collect(),
            });
        }
    }
    let (header_row, header) = header.ok_or_else(empty_file)?;
    Ok(Sheet {
        header_row,
        header,
        rows,
    })
}

fn empty_file() -> AppError {
    bad_file(ErrorCode::InvalidFile.form("file_has_header"))
}

/// The text of an xlsx cell (see the module notes on numbers).
fn cell_text(cell: &Data) -> Result<String, Text> {
    match cell {
        Data::Empty => Ok(String::new()),
        Data::String(s) => Ok(s.trim().to_owned()),
        Data::Int(i) => Ok(i.to_string()),
        Data::Float(v) => Ok(v.to_string()),
        Data::Bool(b) => Ok(if *b { "TRUE" } else { "FALSE" }.to_owned()),
        Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => Err(Text::new(
            "The cell holds a date; enter text or a number.",
            "单元格是日期，请填写文本或数字。",
        )),
        Data::Error(e) => Err(Text::new(
            format!("The cell holds the error {e}."),
            format!("单元格包含错误 {e}。"),
        )),
    }
}

fn read_xlsx(body: &[u8]) -> Result<Sheet, AppError> {
    let unreadable = || bad_file(ErrorCode::InvalidFile.form("file_readable_xlsx"));
    let mut workbook: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(body.to_vec())).map_err(|_| unreadable())?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or_else(empty_file)?
        .map_err(|_| unreadable())?;
    let first_row = range.start().map(|(r, _)| r).unwrap_or(0);
    let mut header: Option<(u32, Vec<String>)> = None;
    let mut rows = Vec::new();
    for (index, cells) in range.rows().enumerate() {
        let number = first_row
            .saturating_add(u32::try_from(index).unwrap_or(u32::MAX))
            .saturating_add(1);
        let cells: Vec<Result<String, Text>> = cells.iter().map(cell_text).collect();
        if cells.iter().all(|c| c.as_ref().is_ok_and(|t| t.is_empty())) {
            continue;
        }
        if header.is_none() {
            header = Some((
                number,
                cells.into_iter().map(|c| c.unwrap_or_default()).collect(),
            ));
        } else {
            rows.push(RawRow { number, cells });
        }
    }
    let (header_row, header) = header.ok_or_else(empty_file)?;
    Ok(Sheet {
        header_row,
        header,
        rows,
    })
}

/// Where each known column is in the file; every header problem is reported at once.
pub fn map_header(sheet: &Sheet) -> Result<[Option<usize>; COLUMN_COUNT], AppError> {
    let mut positions: [Option<usize>; COLUMN_COUNT] = [None; COLUMN_COUNT];
    let mut errors = Vec::new();
    let row = sheet.header_row;
    for (position, cell) in sheet.header.iter().enumerate() {
        if cell.is_empty() {
            continue;
        }
        let found = COLUMNS.iter().position(|c| {
            cell.split_whitespace()
                .all(|token| token == c.zh || token.eq_ignore_ascii_case(c.key))
        });
        match found {
            Some(i) if positions[i].is_some() => errors.push(FieldError::new(
                format!("rows[{row}]"),
                ErrorCode::DuplicateColumn.arg("row", row).arg("cell", cell),
            )),
            Some(i) => positions[i] = Some(position),
            None => errors.push(FieldError::new(
                format!("rows[{row}]"),
                ErrorCode::UnknownColumn.arg("row", row).arg("cell", cell),
            )),
        }
    }
    for (i, column) in COLUMNS.iter().enumerate() {
        if column.required && positions[i].is_none() {
            errors.push(row_error(row, column, ErrorCode::MissingColumn));
        }
    }
    if errors.is_empty() {
        Ok(positions)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// Characters that make a spreadsheet treat a CSV cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV cell as exported: text that a spreadsheet would run as a formula gets a leading `'`,
/// which spreadsheets show as plain text (CSV injection).
fn defuse(cell: &str) -> String {
    if cell.starts_with(FORMULA_STARTS) {
        format!("'{cell}")
    } else {
        cell.to_owned()
    }
}

/// The reverse of `defuse`, so an exported file imports back unchanged.
fn undefuse(cell: &str) -> String {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest.to_owned(),
        _ => cell.to_owned(),
    }
}

/// Writes rows (each every column, as text) in the given format; the header row first.
pub fn write(format: Format, rows: &[[String; COLUMN_COUNT]]) -> Result<Vec<u8>, AppError> {
    let header: Vec<String> = COLUMNS.iter().map(header_text).collect();
    write_sheet(format, "SKU", &header, rows)
}

/// Writes any table of text cells in the given format, the header row first: CSV with a BOM
/// (so Excel reads UTF-8) and cells that look like formulas defused, or an xlsx sheet of text
/// cells (nothing evaluated, leading zeros kept).
pub fn write_table<R: AsRef<[String]>>(
    format: Format,
    header: &[&str],
    rows: &[R],
) -> Result<Vec<u8>, AppError> {
    let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
    write_sheet(format, "Sheet1", &header, rows)
}

fn write_sheet<R: AsRef<[String]>>(
    format: Format,
    sheet_name: &str,
    header: &[String],
    rows: &[R],
) -> Result<Vec<u8>, AppError> {
    match format {
        Format::Csv => {
            // With a BOM, so that Excel opens the UTF-8 file with the right characters.
            let mut out = b"\xEF\xBB\xBF".to_vec();
            {
                let mut writer = csv::Writer::from_writer(&mut out);
                writer.write_record(header).map_err(AppError::internal)?;
                for row in rows {
                    writer
                        .write_record(row.as_ref().iter().map(|cell| defuse(cell)))
                        .map_err(AppError::internal)?;
                }
                writer.flush().map_err(AppError::internal)?;
            }
            Ok(out)
        }
        Format::Xlsx => {
            let mut workbook = rust_xlsxwriter::Workbook::new();
            let sheet = workbook.add_worksheet();
            sheet.set_name(sheet_name).map_err(AppError::internal)?;
            for (col, title) in header.iter().enumerate() {
                let col = u16::try_from(col).map_err(AppError::internal)?;
                sheet
                    .write_string(0, col, title)
                    .map_err(AppError::internal)?;
            }
            for (r, row) in rows.iter().enumerate() {
                let r = u32::try_from(r + 1).map_err(AppError::internal)?;
                for (col, value) in row.as_ref().iter().enumerate() {
                    if value.is_empty() {
                        continue;
                    }
                    let col = u16::try_from(col).map_err(AppError::internal)?;
                    // Text cells throughout: prices stay exact decimals, barcodes keep leading
                    // zeros, and nothing is ever evaluated as a formula.
                    sheet
                        .write_string(r, col, value)
                        .map_err(AppError::internal)?;
                }
            }
            workbook.save_to_buffer().map_err(AppError::internal)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_look_like_formulas_are_defused_and_restored() {
        for cell in ["=HYPERLINK(\"http://x\")", "+1", "-促销-", "@SUM(A1)"] {
            let exported = defuse(cell);
            assert!(exported.starts_with('\''), "{exported}");
            assert_eq!(undefuse(&exported), cell);
        }
        assert_eq!(defuse("红茶"), "红茶");
        assert_eq!(
            undefuse("'quoted"),
            "'quoted",
            "only a defused formula loses its quote"
        );
    }

    #[test]
    fn float_cells_become_their_shortest_decimal() {
        assert_eq!(cell_text(&Data::Float(12.5)).unwrap(), "12.5");
        assert_eq!(cell_text(&Data::Float(0.1)).unwrap(), "0.1");
        assert_eq!(cell_text(&Data::Float(12.0)).unwrap(), "12");
        assert_eq!(
            cell_text(&Data::Float(0.1 + 0.2)).unwrap(),
            "0.30000000000000004"
        );
        assert_eq!(
            cell_text(&Data::Float(6_901_234_567_890.0)).unwrap(),
            "6901234567890"
        );
    }

    #[test]
    fn headers_accept_chinese_english_or_both() {
        let sheet = Sheet {
            header_row: 1,
            header: vec![
                "商品名称".into(),
                "sku_code".into(),
                "零售价 retail_price".into(),
            ],
            rows: vec![],
        };
        let positions = map_header(&sheet).unwrap();
        assert_eq!(positions[NAME], Some(0));
        assert_eq!(positions[SKU_CODE], Some(1));
        assert_eq!(positions[PRICE], Some(2));
        let sheet = Sheet {
            header_row: 1,
            header: vec!["名字".into()],
            rows: vec![],
        };
        assert!(map_header(&sheet).is_err());
    }
}
