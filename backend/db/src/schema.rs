// One schema for both backends: only the common column types (BigInt, Integer, Text, Bool,
// Timestamp, Binary). Keep it in step with migrations/sqlite and migrations/postgres.

diesel::table! {
    merchants (id) {
        id -> crate::ids::sql::MerchantId,
        name -> Text,
        contact_name -> Text,
        contact_phone -> Text,
        contact_email -> Text,
        status -> Text,
        timezone -> Text,
        currency -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        require_staff_mfa -> Bool,
        slug -> Nullable<Text>,
        description -> Text,
        logo_media_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    staff_users (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        email -> Text,
        name -> Text,
        phone -> Nullable<Text>,
        password_hash -> Text,
        role -> Text,
        status -> Text,
        email_verified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    one_time_tokens (id) {
        id -> BigInt,
        merchant_id -> Nullable<crate::ids::sql::MerchantId>,
        staff_user_id -> Nullable<BigInt>,
        purpose -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox_messages (id) {
        id -> BigInt,
        merchant_id -> Nullable<crate::ids::sql::MerchantId>,
        channel -> Text,
        recipient -> Text,
        template -> Text,
        subject -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        next_attempt_at -> Nullable<Timestamp>,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(staff_users -> merchants (merchant_id));
diesel::joinable!(one_time_tokens -> staff_users (staff_user_id));

diesel::table! {
    platform_operators (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    account_security (account_kind, account_id) {
        account_kind -> Text,
        account_id -> BigInt,
        merchant_id -> Nullable<crate::ids::sql::MerchantId>,
        failed_sign_ins -> Integer,
        first_failed_at -> Nullable<Timestamp>,
        locked_at -> Nullable<Timestamp>,
        totp_secret -> Nullable<Text>,
        totp_enabled_at -> Nullable<Timestamp>,
        totp_last_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    mfa_recovery_codes (id) {
        id -> BigInt,
        account_kind -> Text,
        account_id -> BigInt,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    auth_sessions (id) {
        id -> BigInt,
        account_kind -> Text,
        account_id -> BigInt,
        merchant_id -> Nullable<crate::ids::sql::MerchantId>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoke_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        session_id -> BigInt,
        token_hash -> Text,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        merchant_id -> Nullable<crate::ids::sql::MerchantId>,
        actor_kind -> Text,
        actor_id -> Nullable<BigInt>,
        actor_label -> Nullable<Text>,
        action -> Text,
        target_type -> Nullable<Text>,
        target_id -> Nullable<Text>,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
        request_id -> Nullable<Text>,
        changes -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        name -> Text,
        prefix -> Text,
        key_hash -> Text,
        scopes -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    members (id) {
        id -> crate::ids::sql::MemberId,
        merchant_id -> crate::ids::sql::MerchantId,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        name -> Nullable<Text>,
        password_hash -> Text,
        status -> Text,
        phone_verified_at -> Nullable<Timestamp>,
        email_verified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    verification_codes (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        channel -> Text,
        recipient -> Text,
        purpose -> Text,
        code_hash -> Text,
        attempts -> Integer,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(members -> merchants (merchant_id));
diesel::joinable!(refresh_tokens -> auth_sessions (session_id));
diesel::joinable!(api_keys -> merchants (merchant_id));

diesel::table! {
    categories (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        parent_id -> Nullable<BigInt>,
        name -> Text,
        sort_order -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    products (id) {
        id -> crate::ids::sql::ProductId,
        merchant_id -> crate::ids::sql::MerchantId,
        category_id -> Nullable<BigInt>,
        name -> Text,
        subtitle -> Text,
        description_html -> Text,
        spec_names -> Text,
        status -> Text,
        rejection_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        tags -> Text,
        freight_template_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    skus (id) {
        id -> crate::ids::sql::SkuId,
        merchant_id -> crate::ids::sql::MerchantId,
        product_id -> crate::ids::sql::ProductId,
        code -> Text,
        spec_values -> Text,
        barcode -> Nullable<Text>,
        weight_grams -> Integer,
        retail_price_fen -> BigInt,
        stock -> BigInt,
        low_stock_threshold -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        low_stock_alerted -> Bool,
        presale_quantity -> BigInt,
        presale_sold -> BigInt,
        presale_ship_date -> Nullable<Text>,
        kind -> Text,
    }
}

diesel::table! {
    virtual_codes (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        sku_id -> crate::ids::sql::SkuId,
        code_hash -> Text,
        code_encrypted -> Text,
        status -> Text,
        order_reference -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sku_tier_prices (sku_id, tier_kind, tier_id) {
        merchant_id -> crate::ids::sql::MerchantId,
        sku_id -> crate::ids::sql::SkuId,
        tier_kind -> Text,
        tier_id -> BigInt,
        price_fen -> BigInt,
    }
}

diesel::table! {
    stock_movements (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        sku_id -> crate::ids::sql::SkuId,
        delta -> BigInt,
        reason -> Text,
        reference -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    carriers (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        code -> Text,
        name -> Text,
        enabled -> Bool,
        sort_order -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    delivery_settings (merchant_id) {
        merchant_id -> crate::ids::sql::MerchantId,
        express_enabled -> Bool,
        pickup_enabled -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    pickup_points (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        name -> Text,
        region_code -> Text,
        address -> Text,
        contact_phone -> Text,
        opening_hours -> Text,
        enabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    freight_templates (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        name -> Text,
        mode -> Text,
        first_units -> BigInt,
        first_price_fen -> BigInt,
        additional_units -> BigInt,
        additional_price_fen -> BigInt,
        free_shipping_threshold_fen -> Nullable<BigInt>,
        region_overrides -> Text,
        restricted_regions -> Text,
        is_default -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(skus -> products (product_id));
diesel::joinable!(products -> freight_templates (freight_template_id));
diesel::joinable!(sku_tier_prices -> skus (sku_id));
diesel::joinable!(stock_movements -> skus (sku_id));
diesel::joinable!(virtual_codes -> skus (sku_id));

diesel::table! {
    media (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        storage_key -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        width -> Integer,
        height -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    product_media (product_id, media_id) {
        merchant_id -> crate::ids::sql::MerchantId,
        product_id -> crate::ids::sql::ProductId,
        media_id -> BigInt,
        sort_order -> Integer,
    }
}

diesel::joinable!(product_media -> media (media_id));

diesel::table! {
    payment_methods (merchant_id, kind) {
        merchant_id -> crate::ids::sql::MerchantId,
        kind -> Text,
        enabled -> Bool,
        settings_encrypted -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    catalog_imports (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        format -> Text,
        dry_run -> Bool,
        status -> Text,
        total_rows -> BigInt,
        processed_rows -> BigInt,
        error_rows -> BigInt,
        products_created -> BigInt,
        skus_created -> BigInt,
        skus_updated -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    distribution_settings (merchant_id) {
        merchant_id -> crate::ids::sql::MerchantId,
        entry_mode -> Text,
        application_review -> Text,
        spend_threshold -> Nullable<BigInt>,
        commission_depth -> Integer,
        depth3_acknowledged_at -> Nullable<Timestamp>,
        depth3_acknowledged_by -> Nullable<BigInt>,
        self_purchase_commission -> Bool,
        binding_mode -> Text,
        binding_days -> Nullable<Integer>,
        protection_days -> Integer,
        default_sponsor_id -> Nullable<crate::ids::sql::DistributorId>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    distributor_tiers (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        name -> Text,
        rank -> Integer,
        commission_kind -> Text,
        level1_value -> BigInt,
        level2_value -> BigInt,
        level3_value -> BigInt,
        purchase_discount -> BigInt,
        condition_mode -> Text,
        min_personal_sales -> Nullable<BigInt>,
        min_team_sales -> Nullable<BigInt>,
        min_direct_recruits -> Nullable<BigInt>,
        min_team_size -> Nullable<BigInt>,
        min_order_count -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    distributors (id) {
        id -> crate::ids::sql::DistributorId,
        merchant_id -> crate::ids::sql::MerchantId,
        member_id -> crate::ids::sql::MemberId,
        parent_id -> Nullable<crate::ids::sql::DistributorId>,
        tier_id -> Nullable<BigInt>,
        code -> Text,
        status -> Text,
        status_reason -> Nullable<Text>,
        depth -> Integer,
        personal_sales -> BigInt,
        order_count -> BigInt,
        direct_recruits -> BigInt,
        team_size -> BigInt,
        team_sales -> BigInt,
        joined_at -> Timestamp,
        updated_at -> Timestamp,
        promotion_held_since -> Nullable<Timestamp>,
        sponsor_id -> Nullable<crate::ids::sql::DistributorId>,
    }
}

diesel::table! {
    distributor_paths (merchant_id, descendant_id, depth) {
        merchant_id -> crate::ids::sql::MerchantId,
        ancestor_id -> crate::ids::sql::DistributorId,
        descendant_id -> crate::ids::sql::DistributorId,
        depth -> Integer,
    }
}

diesel::table! {
    distributor_tier_changes (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        distributor_id -> crate::ids::sql::DistributorId,
        from_tier_id -> Nullable<BigInt>,
        to_tier_id -> Nullable<BigInt>,
        cause -> Text,
        detail -> Text,
        actor_account_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    customer_bindings (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        member_id -> crate::ids::sql::MemberId,
        distributor_id -> crate::ids::sql::DistributorId,
        source -> Text,
        starts_at -> Timestamp,
        ends_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        end_reason -> Nullable<Text>,
        assigned_by -> Nullable<BigInt>,
        note -> Nullable<Text>,
        ended_by -> Nullable<BigInt>,
        end_note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    distributor_sales (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        distributor_id -> crate::ids::sql::DistributorId,
        order_ref -> Text,
        amount_fen -> BigInt,
        occurred_at -> Timestamp,
        created_at -> Timestamp,
        refunded_fen -> BigInt,
    }
}

diesel::table! {
    contests (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        name -> Text,
        description -> Text,
        metric -> Text,
        start_date -> Text,
        end_date -> Text,
        timezone -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        state -> Text,
        published_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        cancel_reason -> Nullable<Text>,
        frozen_at -> Nullable<Timestamp>,
        participants -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    contest_prizes (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        contest_id -> BigInt,
        rank_from -> Integer,
        rank_to -> Integer,
        description -> Text,
        amount_fen -> Nullable<BigInt>,
    }
}

diesel::table! {
    contest_standings (merchant_id, contest_id, rank) {
        merchant_id -> crate::ids::sql::MerchantId,
        contest_id -> BigInt,
        rank -> Integer,
        distributor_id -> crate::ids::sql::DistributorId,
        value -> BigInt,
        items -> BigInt,
        reached_at -> Timestamp,
    }
}

diesel::joinable!(distributors -> members (member_id));
diesel::joinable!(distributors -> distributor_tiers (tier_id));
diesel::joinable!(distributor_tier_changes -> distributors (distributor_id));

diesel::table! {
    notifications (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        staff_user_id -> Nullable<BigInt>,
        kind -> Text,
        title_zh -> Text,
        title_en -> Text,
        body_zh -> Text,
        body_en -> Text,
        target_type -> Nullable<Text>,
        target_id -> Nullable<Text>,
        data -> Text,
        read_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        member_id -> Nullable<crate::ids::sql::MemberId>,
    }
}

diesel::table! {
    recruitment_forms (merchant_id) {
        merchant_id -> crate::ids::sql::MerchantId,
        fields -> Text,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    distributor_applications (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        member_id -> crate::ids::sql::MemberId,
        status -> Text,
        entry_mode -> Text,
        review -> Text,
        answers -> Text,
        sponsor_code -> Nullable<Text>,
        sponsor_id -> Nullable<crate::ids::sql::DistributorId>,
        sponsor_source -> Nullable<Text>,
        distributor_id -> Nullable<crate::ids::sql::DistributorId>,
        decided_at -> Nullable<Timestamp>,
        decided_by_kind -> Nullable<Text>,
        decided_by -> Nullable<BigInt>,
        reject_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    domain_events (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        name -> Text,
        payload -> Text,
        event_key -> Nullable<Text>,
        occurred_at -> Timestamp,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    event_consumers (name) {
        name -> Text,
        position -> BigInt,
        locked_until -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        failures -> Integer,
        retry_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    event_receipts (consumer, event_id) {
        consumer -> Text,
        event_id -> BigInt,
        handled_at -> Timestamp,
    }
}

diesel::joinable!(distributor_applications -> members (member_id));

diesel::table! {
    member_addresses (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        member_id -> crate::ids::sql::MemberId,
        recipient -> Text,
        phone -> Text,
        province_code -> Text,
        city_code -> Text,
        district -> Text,
        detail -> Text,
        is_default -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    cart_items (member_id, sku_id) {
        merchant_id -> crate::ids::sql::MerchantId,
        member_id -> crate::ids::sql::MemberId,
        sku_id -> crate::ids::sql::SkuId,
        quantity -> BigInt,
        added_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    orders (id) {
        id -> crate::ids::sql::OrderId,
        merchant_id -> crate::ids::sql::MerchantId,
        order_no -> Text,
        member_id -> crate::ids::sql::MemberId,
        status -> Text,
        goods_amount_fen -> BigInt,
        line_discount_fen -> BigInt,
        coupon_fen -> BigInt,
        points_fen -> BigInt,
        paid_goods_fen -> BigInt,
        freight_fen -> BigInt,
        total_fen -> BigInt,
        distributor_id -> Nullable<crate::ids::sql::DistributorId>,
        binding_id -> Nullable<BigInt>,
        delivery -> Text,
        recipient -> Nullable<Text>,
        phone -> Nullable<Text>,
        region_code -> Nullable<Text>,
        address -> Nullable<Text>,
        buyer_note -> Nullable<Text>,
        pay_by -> Timestamp,
        refund_due -> Bool,
        cancel_reason -> Nullable<Text>,
        placed_at -> Timestamp,
        paid_at -> Nullable<Timestamp>,
        shipped_at -> Nullable<Timestamp>,
        completed_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        complete_by -> Nullable<Timestamp>,
        after_sale_until -> Nullable<Timestamp>,
        refunded_fen -> BigInt,
    }
}

diesel::table! {
    order_lines (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        order_id -> crate::ids::sql::OrderId,
        line_no -> Integer,
        product_id -> crate::ids::sql::ProductId,
        sku_id -> crate::ids::sql::SkuId,
        product_name -> Text,
        sku_code -> Text,
        spec_values -> Text,
        sku_kind -> Text,
        quantity -> BigInt,
        presale_quantity -> BigInt,
        unit_price_fen -> BigInt,
        unit_price_source -> Text,
        tier_id -> Nullable<BigInt>,
        amount_fen -> BigInt,
        line_discount_fen -> BigInt,
        coupon_share_fen -> BigInt,
        points_share_fen -> BigInt,
        commission_base_fen -> BigInt,
        shipped_quantity -> BigInt,
        cancelled_quantity -> BigInt,
        returned_quantity -> BigInt,
        refunded_quantity -> BigInt,
        refunded_fen -> BigInt,
        claimed_quantity -> BigInt,
        claimed_fen -> BigInt,
    }
}

diesel::table! {
    order_timeline (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        order_id -> crate::ids::sql::OrderId,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_kind -> Text,
        actor_id -> Nullable<BigInt>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    order_idempotency_keys (member_id, idempotency_key) {
        merchant_id -> crate::ids::sql::MerchantId,
        member_id -> crate::ids::sql::MemberId,
        idempotency_key -> Text,
        request_hash -> Text,
        order_id -> crate::ids::sql::OrderId,
        created_at -> Timestamp,
    }
}

diesel::table! {
    order_settings (merchant_id) {
        merchant_id -> crate::ids::sql::MerchantId,
        payment_timeout_minutes -> Integer,
        updated_at -> Timestamp,
        auto_complete_days -> Integer,
        after_sale_days -> Integer,
        complete_on_delivery -> Bool,
    }
}

diesel::table! {
    order_pickups (order_id) {
        order_id -> crate::ids::sql::OrderId,
        merchant_id -> crate::ids::sql::MerchantId,
        pickup_point_id -> BigInt,
        code -> Nullable<Text>,
        handed_over_at -> Nullable<Timestamp>,
        handed_over_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    order_packages (id) {
        id -> crate::ids::sql::PackageId,
        merchant_id -> crate::ids::sql::MerchantId,
        order_id -> crate::ids::sql::OrderId,
        package_no -> Integer,
        carrier_id -> BigInt,
        carrier_code -> Text,
        carrier_name -> Text,
        tracking_no -> Text,
        tracking_state -> Text,
        shipped_by_kind -> Text,
        shipped_by_id -> Nullable<BigInt>,
        shipped_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        tracking_token -> Nullable<Text>,
        subscribed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    tracking_settings (merchant_id) {
        merchant_id -> crate::ids::sql::MerchantId,
        kuaidi100_customer -> Nullable<Text>,
        kuaidi100_key_encrypted -> Nullable<Text>,
        webhook_secret_encrypted -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    package_events (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        package_id -> crate::ids::sql::PackageId,
        state -> Text,
        provider_state -> Nullable<Text>,
        description -> Text,
        location -> Nullable<Text>,
        occurred_at -> Timestamp,
        source -> Text,
        received_at -> Timestamp,
    }
}

diesel::joinable!(package_events -> order_packages (package_id));

diesel::table! {
    order_package_lines (package_id, line_no) {
        package_id -> crate::ids::sql::PackageId,
        order_id -> crate::ids::sql::OrderId,
        line_no -> Integer,
        quantity -> BigInt,
    }
}

diesel::table! {
    job_leases (name) {
        name -> Text,
        holder -> Text,
        locked_until -> Timestamp,
    }
}

diesel::joinable!(order_lines -> orders (order_id));
diesel::joinable!(order_timeline -> orders (order_id));
diesel::joinable!(orders -> members (member_id));
diesel::joinable!(order_packages -> orders (order_id));
diesel::joinable!(order_package_lines -> order_packages (package_id));

diesel::table! {
    payment_attempts (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        order_id -> crate::ids::sql::OrderId,
        method -> Text,
        status -> Text,
        amount_fen -> BigInt,
        token -> Text,
        provider_txn_id -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        paid_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    payment_receipts (id) {
        id -> BigInt,
        merchant_id -> crate::ids::sql::MerchantId,
        method -> Text,
        provider_txn_id -> Text,
        attempt_id -> BigInt,
        order_id -> crate::ids::sql::OrderId,
        amount_fen -> BigInt,
        outcome -> Text,
        received_at -> Timestamp,
    }
}

diesel::joinable!(payment_attempts -> orders (order_id));

diesel::table! {
    after_sales (id) {
        id -> crate::ids::sql::AfterSaleId,
        merchant_id -> crate::ids::sql::MerchantId,
        order_id -> crate::ids::sql::OrderId,
        member_id -> crate::ids::sql::MemberId,
        kind -> Text,
        status -> Text,
        reason -> Text,
        note -> Nullable<Text>,
        amount_fen -> BigInt,
        freight_fen -> BigInt,
        reject_reason -> Nullable<Text>,
        return_carrier -> Nullable<Text>,
        return_tracking_no -> Nullable<Text>,
        created_at -> Timestamp,
        decided_at -> Nullable<Timestamp>,
        returned_at -> Nullable<Timestamp>,
        received_at -> Nullable<Timestamp>,
        refunded_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    after_sale_items (after_sale_id, line_no) {
        after_sale_id -> crate::ids::sql::AfterSaleId,
        order_id -> crate::ids::sql::OrderId,
        line_no -> Integer,
        quantity -> BigInt,
        amount_fen -> BigInt,
    }
}

diesel::table! {
    after_sale_timeline (id) {
        id -> BigInt,
        after_sale_id -> crate::ids::sql::AfterSaleId,
        from_status -> Nullable<Text>,
        to_status -> Text,
        actor_kind -> Text,
        actor_id -> Nullable<BigInt>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refunds (id) {
        id -> crate::ids::sql::RefundId,
        merchant_id -> crate::ids::sql::MerchantId,
        order_id -> crate::ids::sql::OrderId,
        refund_no -> Text,
        cause -> Text,
        after_sale_id -> Nullable<crate::ids::sql::AfterSaleId>,
        receipt_id -> Nullable<BigInt>,
        attempt_id -> BigInt,
        method -> Text,
        amount_fen -> BigInt,
        freight_fen -> BigInt,
        status -> Text,
        provider_refund_id -> Nullable<Text>,
        failure_reason -> Nullable<Text>,
        tries -> Integer,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        refunded_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    refund_lines (refund_id, line_no) {
        refund_id -> crate::ids::sql::RefundId,
        order_id -> crate::ids::sql::OrderId,
        line_no -> Integer,
        quantity -> BigInt,
        amount_fen -> BigInt,
        restock_quantity -> BigInt,
    }
}

diesel::joinable!(after_sales -> orders (order_id));
diesel::joinable!(after_sale_items -> after_sales (after_sale_id));
diesel::joinable!(refunds -> orders (order_id));
diesel::joinable!(refund_lines -> refunds (refund_id));

diesel::allow_tables_to_appear_in_same_query!(
    merchants,
    staff_users,
    one_time_tokens,
    outbox_messages,
    platform_operators,
    account_security,
    mfa_recovery_codes,
    auth_sessions,
    refresh_tokens,
    audit_events,
    api_keys,
    members,
    verification_codes,
    categories,
    payment_methods,
    media,
    product_media,
    products,
    skus,
    sku_tier_prices,
    stock_movements,
    virtual_codes,
    carriers,
    delivery_settings,
    pickup_points,
    freight_templates,
    catalog_imports,
    distribution_settings,
    distributor_tiers,
    distributors,
    distributor_paths,
    distributor_tier_changes,
    customer_bindings,
    notifications,
    distributor_sales,
    contests,
    contest_prizes,
    contest_standings,
    recruitment_forms,
    distributor_applications,
    domain_events,
    event_consumers,
    event_receipts,
    member_addresses,
    cart_items,
    orders,
    order_lines,
    order_timeline,
    order_idempotency_keys,
    order_settings,
    order_pickups,
    order_packages,
    order_package_lines,
    job_leases,
    payment_attempts,
    payment_receipts,
    after_sales,
    after_sale_items,
    after_sale_timeline,
    refunds,
    refund_lines,
    tracking_settings,
    package_events,
);
