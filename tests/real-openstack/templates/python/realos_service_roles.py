"""Paste filter for cinder-api in this test deployment only (not part of Cinder).

Cinder 21.3.x (the OSSA-2023-003 fix) refuses to delete an attachment that has an instance and connection
info unless the caller is a service or Nova confirms the attachment is unused; without Keystone, Cinder
cannot reach Nova and answers 500. That breaks Nova-driven detach. This filter marks every request as a
service request (X-Service-Roles: service, which oslo.context reads in noauth mode too) unless the request
already carries X-Service-Roles: send "X-Service-Roles: none" to see Cinder's own behaviour.
"""


def filter_factory(global_conf, **local_conf):
    roles = local_conf.get("roles", "service")

    def wrap(app):
        def middleware(environ, start_response):
            environ.setdefault("HTTP_X_SERVICE_ROLES", roles)
            return app(environ, start_response)

        return middleware

    return wrap
