from django.urls import path

from shop import views

urlpatterns = [
    path("checkout/<int:order_id>/", views.checkout, name="checkout"),
]
