"""Key Vault actions found in a Logic App definition."""

from __future__ import annotations

from console.definition import find_keyvault_actions

VAULT = "https://kv-pay.vault.azure.net/"
MSI = {"type": "ManagedServiceIdentity", "audience": "https://vault.azure.net"}


def http(uri: str, **extra) -> dict:
    return {"type": "Http", "inputs": {"method": "GET", "uri": uri, "authentication": MSI}, **extra}


def test_http_actions_to_a_known_vault_or_secrets_path_nested_included() -> None:
    definition = {
        "actions": {
            "Get_key": http(
                f"{VAULT}secrets/api-key?api-version=7.4",
                runtimeConfiguration={"secureData": {"properties": ["outputs"]}},
            ),
            "Other_vault": http("https://elsewhere.example/secrets/x"),
            "Not_a_vault": http("https://api.example.com/orders"),
            "Scope": {
                "type": "Scope",
                "actions": {
                    "If": {
                        "type": "If",
                        "actions": {},
                        "else": {"actions": {"Deep": http(f"{VAULT}secrets/deep")}},
                    },
                },
            },
        }
    }
    found = {a.name: a for a in find_keyvault_actions(definition, {}, [VAULT])}
    assert set(found) == {"Get_key", "Other_vault", "Scope/If/Deep"}
    key = found["Get_key"]
    assert (key.kind, key.vault_uri, key.secret_name) == ("http", VAULT, "api-key")
    assert (key.auth_type, key.audience) == ("ManagedServiceIdentity", "https://vault.azure.net")
    assert (key.secure_inputs, key.secure_outputs) == (False, True)
    assert found["Other_vault"].vault_uri is None
    assert found["Scope/If/Deep"].secret_name == "deep"


def test_keyvault_connector_action_with_its_connection_auth() -> None:
    definition = {
        "actions": {
            "Get_secret": {
                "type": "ApiConnection",
                "inputs": {
                    "host": {
                        "connection": {
                            "name": "@parameters('$connections')['keyvault']['connectionId']"
                        }
                    },
                    "method": "get",
                    "path": "/secrets/@{encodeURIComponent('stripe-secret')}/value",
                },
            },
            "Send_mail": {
                "type": "ApiConnection",
                "inputs": {
                    "host": {
                        "connection": {
                            "name": "@parameters('$connections')['office365']['connectionId']"
                        }
                    }
                },
            },
        }
    }
    parameters = {
        "$connections": {
            "value": {
                "keyvault": {
                    "connectionName": "kv-conn",
                    "id": "/subscriptions/s/providers/"
                    "Microsoft.Web/locations/westeurope/managedApis/keyvault",
                    "connectionProperties": {"authentication": {"type": "ManagedServiceIdentity"}},
                },
                "office365": {
                    "id": "/subscriptions/s/providers/Microsoft.Web/locations/w/"
                    "managedApis/office365"
                },
            }
        }
    }
    [action] = find_keyvault_actions(definition, parameters, [VAULT])
    assert (action.name, action.kind, action.method) == ("Get_secret", "connector", "GET")
    assert action.secret_name == "stripe-secret" and action.connection == "kv-conn"
    assert action.auth_type == "ManagedServiceIdentity"
    assert not action.secure_inputs and not action.secure_outputs and not action.is_secured


def test_empty_or_odd_definitions() -> None:
    assert find_keyvault_actions({}, None, []) == []
    assert find_keyvault_actions({"actions": {"x": "not a dict"}}, {}, []) == []
