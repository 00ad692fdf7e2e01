-- Alipay and WeChat Pay refunds are now sent by the refund job. Those left pending before, for
-- finance to make in the provider's console, may have been made there already: sending them now
-- could pay twice, so they become failed, for finance to confirm and record each.
UPDATE refunds SET status = 'failed'
WHERE status = 'pending' AND method IN ('alipay', 'wechat_pay')
  AND failure_reason = 'refund_api_not_connected';
