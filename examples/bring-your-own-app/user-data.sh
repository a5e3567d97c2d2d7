#!/bin/bash
# The orders service's boot, rendered per region by the stack (each double-brace placeholder is replaced; docs/bring-your-own-app.md).
# The image already holds the service (/opt/orders) and the AWS CLI; this writes its environment and starts it.
set -euo pipefail
install -d -m 0750 -o orders -g orders /etc/orders
cat > /etc/orders/env <<ENV
AWS_REGION={{region}}
DEPLOYMENT_ROLE={{role}}
PORT={{port}}
HEALTH_PATH={{healthPath}}
DATABASE_HOST={{databaseHost}}
DATABASE_PORT={{databasePort}}
DATABASE_NAME={{databaseName}}
DATABASE_CREDENTIALS_SECRET_ARN={{databaseCredentialsSecretArn}}
PAYMENT_API_KEY_SECRET_ARN={{secretArn:payment-api-key}}
SESSION_SIGNING_KEY_SECRET_ARN={{secretArn:session-signing-key}}
PARAMETER_PATH={{parameterPath}}
DATA_BUCKET={{bucketName}}
ENV
chmod 0640 /etc/orders/env
chown root:orders /etc/orders/env
systemctl enable --now orders.service
