from django.dispatch import Signal

account_logged_in = Signal()
