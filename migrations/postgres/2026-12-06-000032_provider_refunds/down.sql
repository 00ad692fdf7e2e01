UPDATE refunds SET status = 'pending'
WHERE status = 'failed' AND method IN ('alipay', 'wechat_pay')
  AND failure_reason = 'refund_api_not_connected';
