//! The columns of the three datasets, in the 推奨データセット's names and the 自治体標準
//! オープンデータセット (正式版)'s: each known header is a [`Field`], and the set of headers
//! says which dataset a file is.

use crate::text::header_key;

/// What a column holds, whatever the dataset's version calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// 全国地方公共団体コード of the publisher (or of the row).
    Code,
    /// The publisher's own row id (ID, NO).
    RowId,
    /// 地方公共団体名.
    PublisherName,
    Prefecture,
    City,
    Name,
    Kana,
    CommonName,
    /// 種別 / 実施サービス: the kind of place, in the dataset's words.
    Type,
    Address,
    AddressPrefecture,
    AddressCity,
    AddressTown,
    AddressRest,
    /// 方書 (building, floor).
    Building,
    Latitude,
    Longitude,
    Phone,
    Extension,
    Fax,
    Email,
    FormUrl,
    PostalCode,
    Corporation,
    CorporationNumber,
    /// 介護保険事業所番号.
    OfficeNumber,
    Days,
    Opens,
    Closes,
    HoursNote,
    Description,
    Accessibility,
    Capacity,
    Ages,
    TemporaryCare,
    Url,
    Remarks,
    Access,
    Parking,
}

/// Headers (NFKC, without spaces) of each field, in both versions' words.
const ALIASES: &[(Field, &[&str])] = &[
    (
        Field::Code,
        &[
            "全国地方公共団体コード",
            "都道府県コード又は市区町村コード",
            "市区町村コード",
            "地方公共団体コード",
            "団体コード",
        ],
    ),
    (Field::RowId, &["ID", "NO", "No", "No."]),
    (Field::PublisherName, &["地方公共団体名"]),
    (Field::Prefecture, &["都道府県名"]),
    (Field::City, &["市区町村名"]),
    (Field::Name, &["名称", "施設名称", "介護サービス事業所名称", "事業所名称", "事業所名", "施設名"]),
    (
        Field::Kana,
        &["名称_カナ", "施設名称_カナ", "介護サービス事業所名称_カナ", "事業所名称_カナ", "名称カナ", "フリガナ"],
    ),
    (Field::CommonName, &["名称_通称"]),
    (
        Field::Type,
        &["種別", "実施サービス", "サービス種別", "サービスの種類", "介護サービスの種類", "施設種別", "種類"],
    ),
    (Field::Address, &["住所", "所在地_連結表記", "所在地_連結標記", "所在地"]),
    (Field::AddressPrefecture, &["所在地_都道府県", "施設所在地_都道府県"]),
    (Field::AddressCity, &["所在地_市区町村", "施設所在地_市区町村"]),
    (Field::AddressTown, &["所在地_町字", "施設所在地_町字"]),
    (Field::AddressRest, &["所在地_番地以下", "施設所在地_番地以下"]),
    (Field::Building, &["方書", "建物名等(方書)", "建物名等", "施設方書"]),
    (Field::Latitude, &["緯度"]),
    (Field::Longitude, &["経度"]),
    (Field::Phone, &["電話番号", "施設電話番号", "連絡先電話番号"]),
    (Field::Extension, &["内線番号", "連絡先内線番号"]),
    (Field::Fax, &["FAX番号", "ファックス番号", "FAX"]),
    (Field::Email, &["連絡先メールアドレス", "メールアドレス"]),
    (Field::FormUrl, &["連絡先FormURL"]),
    (Field::PostalCode, &["郵便番号"]),
    (Field::Corporation, &["法人の名称", "法人名", "団体名", "運営法人", "設置主体"]),
    (Field::CorporationNumber, &["法人番号"]),
    (Field::OfficeNumber, &["事業所番号", "介護保険事業所番号"]),
    (Field::Days, &["利用可能曜日"]),
    (Field::Opens, &["開始時間"]),
    (Field::Closes, &["終了時間"]),
    (Field::HoursNote, &["利用可能日時特記事項", "利用可能曜日特記事項"]),
    (Field::Description, &["説明"]),
    (Field::Accessibility, &["バリアフリー情報"]),
    (Field::Capacity, &["定員", "収容定員", "入所定員"]),
    (Field::Ages, &["受入年齢"]),
    (Field::TemporaryCare, &["一時預かりの有無"]),
    (Field::Url, &["URL", "ホームページ"]),
    (Field::Remarks, &["備考"]),
    (Field::Access, &["アクセス方法"]),
    (Field::Parking, &["駐車場情報"]),
];

/// The field a header names, if it is a known column.
pub fn field(header: &str) -> Option<Field> {
    let key = header_key(header);
    ALIASES.iter().find(|(_, names)| names.contains(&key.as_str())).map(|(field, _)| *field)
}

/// The three datasets Yorisoi reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    CareServices,
    PublicFacilities,
    ChildcareFacilities,
}

impl Dataset {
    pub const ALL: [Dataset; 3] = [Dataset::CareServices, Dataset::PublicFacilities, Dataset::ChildcareFacilities];

    /// Its name as the Digital Agency lists it (and the mapping table's `dataset`).
    pub fn label(self) -> &'static str {
        match self {
            Dataset::CareServices => "介護サービス事業所一覧",
            Dataset::PublicFacilities => "公共施設一覧",
            Dataset::ChildcareFacilities => "子育て施設一覧",
        }
    }

    /// Its short name in ids and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Dataset::CareServices => "care",
            Dataset::PublicFacilities => "facilities",
            Dataset::ChildcareFacilities => "childcare",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.key() == key || d.label() == key)
    }

    /// Which dataset a file is, from its headers: a care office number or service type
    /// says 介護, ages or temporary care says 子育て, anything else with a name is a
    /// list of public facilities.
    pub fn detect(headers: &[String]) -> Self {
        let has = |names: &[&str]| headers.iter().any(|h| names.contains(&header_key(h).as_str()));
        if has(&[
            "事業所番号",
            "介護保険事業所番号",
            "実施サービス",
            "介護サービス事業所名称",
            "介護サービスの種類",
            "サービス種別",
            "サービスの種類",
        ]) {
            Dataset::CareServices
        } else if has(&["受入年齢", "一時預かりの有無", "収容定員", "入所定員"]) {
            Dataset::ChildcareFacilities
        } else {
            Dataset::PublicFacilities
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_versions_and_half_width_headers_are_known() {
        assert_eq!(field("介護サービス事業所名称_ｶﾅ"), Some(Field::Kana));
        assert_eq!(field("建物名等（方書）"), Some(Field::Building));
        assert_eq!(field("都道府県コード又は市区町村コード"), Some(Field::Code));
        assert_eq!(field("全国地方公共団体コード"), Some(Field::Code));
        assert_eq!(field("画像_ライセンス"), None);
    }

    #[test]
    fn the_dataset_is_told_by_its_headers() {
        let headers = |list: &[&str]| list.iter().map(|h| h.to_string()).collect::<Vec<_>>();
        assert_eq!(Dataset::detect(&headers(&["NO", "介護サービス事業所名称", "実施サービス"])), Dataset::CareServices);
        assert_eq!(Dataset::detect(&headers(&["ID", "名称", "受入年齢"])), Dataset::ChildcareFacilities);
        assert_eq!(Dataset::detect(&headers(&["ID", "名称", "住所"])), Dataset::PublicFacilities);
    }
}
