//! What ARN values in selectors select: basic `DataResources` values and advanced `resources.ARN`
//! conditions, as [`ResourceMatch`]es (API Reference, DataResource and AdvancedFieldSelector).
use super::facts::{DataScope, ResourceMatch, ResourceType, Selected};
use super::wire::FieldSelector;

/// `arn:<partition>:<service>:<rest>` → (service, rest), for any partition (aws, aws-cn, …).
pub(super) fn service(value: &str) -> Option<(&str, &str)> {
    let (_partition, rest) = value.strip_prefix("arn:")?.split_once(':')?;
    Some(rest.split_once(':').unwrap_or((rest, "")))
}

/// Whether a prefix names the whole service: `arn:aws:s3`, `arn:aws:s3:::`, `arn:aws-cn:lambda`.
pub(super) fn covers_all(resource_type: &ResourceType, prefix: &str) -> bool {
    match (resource_type.arn_service(), service(prefix)) {
        (Some(expected), Some((service, rest))) => {
            service == expected && rest.chars().all(|c| c == ':')
        }
        _ => false,
    }
}

/// The `bucket/key` part of an S3 ARN.
pub(super) fn s3_path(arn: &str) -> Option<&str> {
    match service(arn)? {
        ("s3", rest) => rest.strip_prefix("::"),
        _ => None,
    }
}

/// What an ARN prefix (a basic value or StartsWith) selects; `None` means every resource.
pub(super) fn prefix(resource_type: &ResourceType, prefix: &str) -> Option<ResourceMatch> {
    if covers_all(resource_type, prefix) {
        return None;
    }
    let is_s3 = *resource_type == ResourceType::S3Object;
    let path = s3_path(prefix).filter(|path| is_s3 && !path.is_empty());
    Some(match path.map(|path| (path, path.split_once('/'))) {
        Some((_, Some((bucket, "")))) => ResourceMatch::Bucket(bucket.to_owned()),
        Some((path, Some(_))) => ResourceMatch::ObjectPrefix(path.to_owned()),
        Some((bucket, None)) => ResourceMatch::BucketNamePrefix(bucket.to_owned()),
        None => ResourceMatch::ArnPrefix(prefix.to_owned()),
    })
}

/// What one exact ARN selects.
pub(super) fn exact(resource_type: &ResourceType, arn: &str) -> ResourceMatch {
    let is_s3 = *resource_type == ResourceType::S3Object;
    if let Some(path) = s3_path(arn).filter(|p| is_s3 && p.contains('/')) {
        return ResourceMatch::Object(path.to_owned());
    }
    if let Some((service, rest)) = service(arn)
        && let [region, account, resource] = rest.splitn(3, ':').collect::<Vec<_>>()[..]
    {
        let (region, account) = (region.to_owned(), account.to_owned());
        match (resource_type, service) {
            (ResourceType::LambdaFunction, "lambda") => {
                if let Some(name) = resource.strip_prefix("function:").filter(|n| !n.is_empty()) {
                    let name = name.to_owned();
                    return ResourceMatch::Function {
                        name,
                        region,
                        account,
                    };
                }
            }
            (ResourceType::DynamoDbTable, "dynamodb") => {
                if let Some(name) = resource.strip_prefix("table/").filter(|n| !n.is_empty()) {
                    let name = name.to_owned();
                    return ResourceMatch::Table {
                        name,
                        region,
                        account,
                    };
                }
            }
            _ => {}
        }
    }
    ResourceMatch::Arn(arn.to_owned())
}

/// The resources a `resources.ARN` field selector lets through.
pub(super) fn scope(resource_type: &ResourceType, field: &FieldSelector) -> DataScope {
    let mut everything = [&field.equals, &field.starts_with, &field.ends_with]
        .iter()
        .all(|values| values.is_empty());
    let mut includes = Vec::new();
    for value in &field.starts_with {
        match prefix(resource_type, value) {
            Some(one) => includes.push(one),
            None => everything = true,
        }
    }
    includes.extend(field.equals.iter().map(|arn| exact(resource_type, arn)));
    let suffix = |value: &String| ResourceMatch::ArnSuffix(value.clone());
    includes.extend(field.ends_with.iter().map(suffix));
    let mut except: Vec<ResourceMatch> = (field.not_starts_with.iter())
        .map(|value| prefix(resource_type, value).unwrap_or(ResourceMatch::Every))
        .collect();
    except.extend(field.not_equals.iter().map(|arn| exact(resource_type, arn)));
    except.extend(field.not_ends_with.iter().map(suffix));
    let selected = if everything {
        Selected::All
    } else {
        Selected::Any(includes)
    };
    DataScope { selected, except }
}
