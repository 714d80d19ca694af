//! Pages of a listing: a bounded `first`, and cursors that must point inside the
//! listing (a forged one is refused, not wrapped around or allocated for).

use crate::error::ApiError;
use crate::global_id::offset;
use crate::query::MAX_FIRST;

/// The start and size of a page. A cursor must name a position before `end` (the
/// listing's length, or how deep it may go): a forged one is refused, not wrapped
/// around or allocated for.
pub(crate) fn page(first: i32, after: Option<&str>, end: usize) -> Result<(usize, usize), ApiError> {
    if !(1..=MAX_FIRST).contains(&first) {
        return Err(ApiError::BadUserInput(format!("`first` must be between 1 and {MAX_FIRST}, not {first}")));
    }
    let start = match after {
        None => 0,
        Some(cursor) => match offset(cursor)? {
            at if at < end => at + 1,
            _ => {
                return Err(ApiError::BadUserInput(format!(
                    "`{cursor}` is not a cursor of this listing (it has {end} items); start again without `after`"
                )));
            }
        },
    };
    Ok((start, first as usize))
}
