//! Record shapes from the CloudTrail User Guide (record contents, userIdentity element, log file examples).
use super::*;

fn key() -> LogKey {
    LogKey {
        org_id: None,
        account_id: "999999999999".into(),
        region: "key-region-1".into(),
        insight: false,
    }
}

fn parse_one(record: &str) -> EventRow {
    let file = format!(r#"{{"Records":[{record}]}}"#);
    let mut parsed = parse_log(&file, &key()).expect("a log file");
    assert!(parsed.rejected.is_empty(), "{:?}", parsed.rejected);
    parsed.events.pop().expect("one event")
}

const IAM_USER: &str = r#"{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDA6ON6E4XEGITEXAMPLE","arn":"arn:aws:iam::888888888888:user/Mary","accountId":"888888888888","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"Mary"},"eventTime":"2023-07-19T21:11:57Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"aws-cli/2.13.5 Python/3.11.4 Linux/4.14.255-314-253.539.amzn2.x86_64 exec-env/CloudShell exe/x86_64.amzn.2 prompt/off command/iam.create-user","requestParameters":{"userName":"Richard"},"responseElements":{"user":{"path":"/","arn":"arn:aws:iam::888888888888:user/Richard","userId":"AIDA6ON6E4XEGIEXAMPLE","createDate":"Jul 19, 2023 9:11:57 PM","userName":"Richard"}},"requestID":"2d528c76-329e-410b-9516-EXAMPLE565dc","eventID":"ba0801a1-87ec-4d26-be87-EXAMPLE75bbb","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"888888888888","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.2","cipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","clientProvidedHostHeader":"iam.amazonaws.com"},"sessionCredentialFromConsole":"true"}"#;

#[test]
fn iam_user_call() {
    let row = parse_one(IAM_USER);
    assert_eq!(row.event_time, 1_689_801_117);
    assert_eq!(row.event_id, "ba0801a1-87ec-4d26-be87-EXAMPLE75bbb");
    assert_eq!(
        (row.account_id.as_str(), row.region.as_str()),
        ("888888888888", "us-east-1")
    );
    assert_eq!(
        (row.event_source.as_str(), row.event_name.as_str()),
        ("iam.amazonaws.com", "CreateUser")
    );
    assert_eq!(row.identity_type.as_deref(), Some("IAMUser"));
    assert_eq!(row.identity_name.as_deref(), Some("Mary"));
    assert_eq!(
        row.identity_arn.as_deref(),
        Some("arn:aws:iam::888888888888:user/Mary")
    );
    assert_eq!(row.access_key_id.as_deref(), Some("AKIAIOSFODNN7EXAMPLE"));
    assert_eq!(row.source_ip.as_deref(), Some("192.0.2.0"));
    assert_eq!(row.read_only, Some(false));
    assert_eq!(row.error_code, None);
    assert_eq!(row.category, EventCategory::Management);
}

#[test]
fn assumed_role_session_reads_as_role_slash_session() {
    let row = parse_one(
        r#"{"eventVersion":"1.08","userIdentity":{"type":"AssumedRole","principalId":"AROAIDPPEZS35WEXAMPLE:AssumedRoleSessionName","arn":"arn:aws:sts::123456789012:assumed-role/RoleToBeAssumed/MySessionName","accountId":"123456789012","accessKeyId":"ASIAIOSFODNN7EXAMPLE","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAIDPPEZS35WEXAMPLE","arn":"arn:aws:iam::123456789012:role/RoleToBeAssumed","accountId":"123456789012","userName":"RoleToBeAssumed"},"webIdFederationData":{},"attributes":{"creationDate":"2019-06-13T19:36:08Z","mfaAuthenticated":"false"}}},"eventTime":"2019-06-13T19:36:08Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.64","userAgent":"aws-sdk-go","requestParameters":null,"responseElements":null,"eventID":"e1f2c2c4-0000-4f31-9d37-EXAMPLE11111","readOnly":true,"eventType":"AwsApiCall","recipientAccountId":"123456789012"}"#,
    );
    assert_eq!(
        row.identity_name.as_deref(),
        Some("RoleToBeAssumed/MySessionName")
    );
    assert_eq!(row.read_only, Some(true));
    assert_eq!(
        row.category,
        EventCategory::Management,
        "no eventCategory before 1.07 means management"
    );
}

#[test]
fn root_console_sign_in_failure() {
    let row = parse_one(
        r#"{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"},"eventTime":"2023-01-08T18:20:13Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"192.0.2.0","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64)","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"LoginTo":"https://console.aws.amazon.com/console/home","MobileVersion":"No","MFAUsed":"No"},"eventID":"3c6b1bb0-5b6c-4f0e-a8b1-EXAMPLEa8b1c","readOnly":false,"eventType":"AwsConsoleSignIn","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management"}"#,
    );
    assert_eq!(row.identity_name.as_deref(), Some("root"));
    assert_eq!(row.identity_type.as_deref(), Some("Root"));
    assert_eq!(
        row.error_code.as_deref(),
        Some("Failed authentication"),
        "a failed console login has no errorCode: its errorMessage is the error"
    );
}

#[test]
fn aws_service_is_named_by_the_service() {
    let row = parse_one(
        r#"{"eventVersion":"1.08","userIdentity":{"type":"AWSService","invokedBy":"config.amazonaws.com"},"eventTime":"2023-03-01T00:00:01Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-west-2","sourceIPAddress":"config.amazonaws.com","userAgent":"config.amazonaws.com","eventID":"a","readOnly":true,"eventType":"AwsApiCall","recipientAccountId":"123456789012","sharedEventID":"b","eventCategory":"Management"}"#,
    );
    assert_eq!(row.identity_name.as_deref(), Some("config.amazonaws.com"));
    assert_eq!(row.identity_arn.as_deref(), Some("config.amazonaws.com"));
}

#[test]
fn other_identity_types() {
    let cases = [
        (
            r#"{"type":"FederatedUser","principalId":"123456789012:bob","arn":"arn:aws:sts::123456789012:federated-user/bob","accountId":"123456789012","sessionContext":{"sessionIssuer":{"type":"IAMUser","userName":"broker"}}}"#,
            "bob",
        ),
        (
            r#"{"type":"AWSAccount","principalId":"AIDAEXAMPLE","accountId":"111122223333"}"#,
            "111122223333",
        ),
        (
            r#"{"type":"SAMLUser","principalId":"SAMLExample:alice","userName":"alice","identityProvider":"bdGOnTesti4+ExamplexL/jEvs="}"#,
            "alice",
        ),
        (
            r#"{"type":"WebIdentityUser","principalId":"accounts.google.com:app:user","userName":"user","identityProvider":"accounts.google.com"}"#,
            "user",
        ),
        (
            r#"{"type":"Role","principalId":"AROAEXAMPLE","arn":"arn:aws:iam::123456789012:role/Deployer","accountId":"123456789012"}"#,
            "Deployer",
        ),
        (
            r#"{"type":"Unknown","principalId":"AIDACKCEVSQ6C2EXAMPLE","accountId":"123456789012","userName":"anonymous"}"#,
            "anonymous",
        ),
        (
            r#"{"type":"IdentityCenterUser","principalId":"p-123"}"#,
            "p-123",
        ),
    ];
    for (identity, name) in cases {
        let record = format!(
            r#"{{"userIdentity":{identity},"eventTime":"2023-03-01T00:00:01Z","eventSource":"s3.amazonaws.com","eventName":"ListBuckets","awsRegion":"us-east-1","eventID":"x"}}"#
        );
        assert_eq!(
            parse_one(&record).identity_name.as_deref(),
            Some(name),
            "{identity}"
        );
    }
}

#[test]
fn s3_data_event_with_error() {
    let row = parse_one(
        r#"{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::123456789012:assumed-role/app/i-0abc","accountId":"123456789012","accessKeyId":"ASIAEXAMPLE"},"eventTime":"2024-02-02T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-west-2","sourceIPAddress":"10.0.0.1","userAgent":"[aws-sdk-java/1.12]","errorCode":"AccessDenied","errorMessage":"Access Denied","requestParameters":{"bucketName":"amzn-s3-demo-bucket","key":"a.txt"},"responseElements":null,"additionalEventData":{"bytesTransferredIn":0},"eventID":"d1","readOnly":true,"resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::amzn-s3-demo-bucket/a.txt"}],"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"123456789012","eventCategory":"Data"}"#,
    );
    assert_eq!(row.category, EventCategory::Data);
    assert_eq!(row.error_code.as_deref(), Some("AccessDenied"));
    assert_eq!(
        row.resources,
        vec![(
            Some("AWS::S3::Object".to_owned()),
            "arn:aws:s3:::amzn-s3-demo-bucket/a.txt".to_owned()
        )]
    );
}

#[test]
fn insights_event_takes_source_and_name_from_its_details() {
    let row = parse_one(
        r#"{"eventVersion":"1.07","eventTime":"2019-11-14T00:51:00Z","awsRegion":"us-east-1","eventID":"EXAMPLE8-9621-4d00-b913-beca2EXAMPLE","eventType":"AwsCloudTrailInsight","recipientAccountId":"123456789012","sharedEventID":"EXAMPLE2-1729-42f1-b735-5d8eEXAMPLE","insightDetails":{"state":"Start","eventSource":"ssm.amazonaws.com","eventName":"UpdateInstanceInformation","insightType":"ApiCallRateInsight","insightContext":{"statistics":{"baseline":{"average":85.4202380952381},"insight":{"average":664},"insightDuration":1}}},"eventCategory":"Insight"}"#,
    );
    assert_eq!(row.category, EventCategory::Insight);
    assert_eq!(
        (row.event_source.as_str(), row.event_name.as_str()),
        ("ssm.amazonaws.com", "UpdateInstanceInformation")
    );
    assert_eq!(
        (row.identity_type, row.identity_name, row.read_only),
        (None, None, None)
    );
}

#[test]
fn missing_optional_fields_fall_back_to_the_key() {
    let row = parse_one(
        r#"{"eventTime":"2024-01-01T00:00:00Z","eventID":"m","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","readOnly":"false","userAgent":"escaped \"quote\" \u00e9"}"#,
    );
    assert_eq!(
        (row.account_id.as_str(), row.region.as_str()),
        ("999999999999", "key-region-1")
    );
    assert_eq!(
        row.read_only,
        Some(false),
        "LookupEvents writes readOnly as a string"
    );
    assert_eq!(row.user_agent.as_deref(), Some("escaped \"quote\" é"));
    assert_eq!(
        (row.identity_type, row.source_ip, row.error_code),
        (None, None, None)
    );
}

#[test]
fn bad_records_are_rejected_with_their_position_and_the_rest_kept() {
    let file = format!(
        r#"{{"Records":[{IAM_USER},{{"eventID":"no-time","eventSource":"s3.amazonaws.com","eventName":"x"}},{{"eventTime":"last tuesday","eventID":"t","eventSource":"s","eventName":"n"}},{{"eventTime":"2024-01-01T00:00:00Z","eventSource":"s","eventName":"n"}}]}}"#
    );
    let parsed = parse_log(&file, &key()).expect("a log file");
    assert_eq!(parsed.events.len(), 1);
    let reasons: Vec<(u32, &str)> = parsed
        .rejected
        .iter()
        .map(|r| (r.ordinal, r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (1, "no eventTime"),
            (2, "eventTime \"last tuesday\" is not a UTC timestamp"),
            (3, "no eventID")
        ]
    );
}

#[test]
fn files_that_are_not_log_files_fail_whole() {
    assert!(matches!(
        parse_log(r#"{"records":[]}"#, &key()),
        Err(LogFileError::NoRecords)
    ));
    assert!(matches!(
        parse_log(r#"{"Records":[{"eventTime":"2024-01-01T00:00:00Z""#, &key()),
        Err(LogFileError::Json(_))
    ));
    assert!(matches!(
        parse_log("\u{1f} garbage", &key()),
        Err(LogFileError::Json(_))
    ));
    assert!(
        parse_log(r#"{"Records":[]}"#, &key())
            .expect("empty is fine")
            .events
            .is_empty()
    );
}

fn with_identity(identity: &str, extra: &str) -> EventRow {
    parse_one(&format!(
        r#"{{"userIdentity":{identity},"eventTime":"2026-11-27T09:00:01Z","eventSource":"signin.amazonaws.com","eventName":"CredentialChallenge","awsRegion":"us-east-1","eventID":"ic"{extra}}}"#
    ))
}

#[test]
fn identity_center_users_are_named_by_their_user_id_and_sign_ins_teach_their_name() {
    let identity = r#"{"type":"IdentityCenterUser","accountId":"111122223333","onBehalfOf":{"userId":"90676a1b2c-4d5e-6f70-8192-a3b4c5d6e7f8","identityStoreArn":"arn:aws:identitystore::111122223333:identitystore/d-9067000000"},"credentialId":"EXAMPLEcredential"}"#;
    let row = with_identity(identity, "");
    assert_eq!(
        row.identity_name.as_deref(),
        Some("90676a1b2c-4d5e-6f70-8192-a3b4c5d6e7f8")
    );
    assert_eq!(row.identity_type.as_deref(), Some("IdentityCenterUser"));
    let user = row.identity_center.expect("an Identity Center user");
    assert_eq!(
        (user.user_name, user.identity_store_arn.as_deref()),
        (
            None,
            Some("arn:aws:identitystore::111122223333:identitystore/d-9067000000")
        )
    );
    let signed_in = with_identity(
        identity,
        r#","additionalEventData":{"AuthWorkflowID":"w","CredentialType":"PASSWORD","UserName":"alice"}"#,
    );
    assert_eq!(
        signed_in
            .identity_center
            .and_then(|u| u.user_name)
            .as_deref(),
        Some("alice")
    );
    // A failed attempt carries whatever was typed: it is an error and names nobody.
    let failed = parse_one(&format!(
        r#"{{"userIdentity":{identity},"eventTime":"2026-11-27T08:59:00Z","eventSource":"signin.amazonaws.com","eventName":"CredentialVerification","eventID":"v","serviceEventDetails":{{"CredentialVerification":"Failure"}},"errorMessage":"Failed authentication","additionalEventData":{{"CredentialType":"PASSWORD","UserName":"typo-name"}}}}"#
    ));
    assert_eq!(failed.error_code.as_deref(), Some("Failed authentication"));
    assert_eq!(failed.identity_center.and_then(|u| u.user_name), None);
    let failed_authentication = parse_one(&format!(
        r#"{{"userIdentity":{identity},"eventTime":"2026-11-27T08:59:30Z","eventSource":"signin.amazonaws.com","eventName":"UserAuthentication","eventID":"u","serviceEventDetails":{{"UserAuthentication":"Failure"}},"additionalEventData":{{"CredentialType":"EXTERNAL_IDP","UserName":"mallory"}}}}"#
    ));
    assert_eq!(failed_authentication.error_code.as_deref(), Some("Failure"));
    assert_eq!(
        failed_authentication
            .identity_center
            .and_then(|u| u.user_name),
        None
    );
}

#[test]
fn readable_names_come_from_the_best_field_the_record_has() {
    for (identity, name) in [
        // An IAM user record without userName: the ARN names the user (path dropped).
        (
            r#"{"type":"IAMUser","principalId":"AIDAEXAMPLEFAKE","arn":"arn:aws:iam::111122223333:user/division/bob","accountId":"111122223333"}"#,
            "bob",
        ),
        // An Unknown identity carrying an assumed-role ARN reads like the role session it is.
        (
            r#"{"type":"Unknown","principalId":"AROAEXAMPLEFAKE:dev-session","arn":"arn:aws:sts::111122223333:assumed-role/Deployer/dev-session","accountId":"111122223333"}"#,
            "Deployer/dev-session",
        ),
        (
            r#"{"type":"Unknown","principalId":"111122223333","accountId":"111122223333","userName":"alice"}"#,
            "alice",
        ),
        (
            r#"{"type":"AWSAccount","principalId":"","accountId":"ANONYMOUS_PRINCIPAL"}"#,
            "ANONYMOUS_PRINCIPAL",
        ),
    ] {
        assert_eq!(
            with_identity(identity, "").identity_name.as_deref(),
            Some(name),
            "{identity}"
        );
    }
}

#[test]
fn a_record_without_recipient_account_belongs_to_the_account_whose_trail_logged_it() {
    let row = parse_one(
        r#"{"eventVersion":"1.01","userIdentity":{"type":"AWSAccount","principalId":"AIDAEXAMPLEFAKECROSS","accountId":"444455556666"},"eventTime":"2026-11-27T18:00:00Z","eventSource":"sts.amazonaws.com","eventName":"AssumeRole","awsRegion":"us-east-1","eventID":"old"}"#,
    );
    assert_eq!(row.account_id, "999999999999", "the key's account");
    assert_eq!(
        row.identity_name.as_deref(),
        Some("444455556666"),
        "the caller is still shown as who it is"
    );
}

#[test]
fn errors_are_every_field_that_means_one() {
    let signin = |response: &str, extra: &str| {
        parse_one(&format!(
            r#"{{"userIdentity":{{"type":"IAMUser","accountId":"111122223333","userName":"HIDDEN_DUE_TO_SECURITY_REASONS"}},"eventTime":"2026-11-27T10:00:17Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventID":"s","eventType":"AwsConsoleSignIn","responseElements":{response}{extra}}}"#
        ))
        .error_code
    };
    assert_eq!(
        signin(
            r#"{"ConsoleLogin":"Failure"}"#,
            r#","errorMessage":"No username found in supplied account""#
        )
        .as_deref(),
        Some("No username found in supplied account")
    );
    assert_eq!(
        signin(r#"{"ConsoleLogin":"Failure"}"#, "").as_deref(),
        Some("Failure")
    );
    assert_eq!(signin(r#"{"ConsoleLogin":"Success"}"#, ""), None);
    assert_eq!(signin("null", ""), None);
    assert_eq!(
        signin(r#"{"SwitchRole":"Failure"}"#, ""),
        None,
        "another step's answer is not this event's"
    );
    let insight = parse_one(
        r#"{"eventVersion":"1.08","eventTime":"2023-01-03T00:00:00Z","awsRegion":"us-east-1","eventID":"ins","eventType":"AwsCloudTrailInsight","recipientAccountId":"123456789012","insightDetails":{"state":"Start","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","insightType":"ApiErrorRateInsight","errorCode":"InsufficientInstanceCapacity","insightContext":{"statistics":{"baseline":{"average":0.01},"insight":{"average":0.8}}}},"eventCategory":"Insight"}"#,
    );
    assert_eq!(
        insight.error_code.as_deref(),
        Some("InsufficientInstanceCapacity")
    );
}

#[test]
fn fields_of_an_unexpected_json_type_do_not_cost_the_record_or_the_file() {
    let row = parse_one(
        r#"{"eventTime":"2024-01-01T00:00:00Z","eventID":"odd","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","managementEvent":"True","readOnly":"FALSE","recipientAccountId":123456789012,"userAgent":["not","text"],"userIdentity":"nobody","resources":{"ARN":"arn:aws:s3:::b"},"responseElements":"Failure","insightDetails":7}"#,
    );
    assert_eq!(row.read_only, Some(false));
    assert_eq!(row.category, EventCategory::Management);
    assert_eq!(row.account_id, "123456789012");
    assert_eq!(
        (row.user_agent, row.identity_name, row.error_code),
        (None, None, None)
    );
    assert!(row.resources.is_empty());
    let data = parse_one(
        r#"{"eventTime":"2024-01-01T00:00:00Z","eventID":"d","eventSource":"s3.amazonaws.com","eventName":"GetObject","managementEvent":"false"}"#,
    );
    assert_eq!(data.category, EventCategory::Data);
}

#[test]
fn one_odd_record_never_costs_the_others() {
    // An entry that is not an object is rejected alone; a field written twice (which serde's derive refuses)
    // sends the file down the record-by-record path, where the last value wins as in most JSON readers.
    let file = format!(
        r#"{{"Records":[{IAM_USER},"just a string",{{"eventTime":"2024-01-01T00:00:00Z","eventID":"twice","eventID":"again","eventSource":"s","eventName":"n"}},{IAM_USER}]}}"#
    );
    let parsed = parse_log(&file, &key()).expect("a log file");
    let rejected: Vec<(u32, &str)> = parsed
        .rejected
        .iter()
        .map(|r| (r.ordinal, r.reason.as_str()))
        .collect();
    assert_eq!(rejected, vec![(1, "not a JSON object")]);
    assert_eq!(
        parsed
            .events
            .iter()
            .map(|e| (e.ordinal, e.event_id.as_str()))
            .collect::<Vec<_>>(),
        vec![
            (0, "ba0801a1-87ec-4d26-be87-EXAMPLE75bbb"),
            (2, "again"),
            (3, "ba0801a1-87ec-4d26-be87-EXAMPLE75bbb")
        ]
    );
    let only_odd = r#"{"Records":[42,{"eventTime":"2024-01-01T00:00:00Z","eventID":"fine","eventSource":"s","eventName":"n"}]}"#;
    let parsed = parse_log(only_odd, &key()).expect("a log file");
    assert_eq!((parsed.events.len(), parsed.rejected.len()), (1, 1));
}
