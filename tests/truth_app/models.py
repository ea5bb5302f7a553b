from django.db import models


class Order(models.Model):
    number = models.CharField(max_length=20, blank=True)


class AuditLog(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE)


class Topping(models.Model):
    name = models.CharField(max_length=20)


class Pizza(models.Model):
    toppings = models.ManyToManyField(Topping)
