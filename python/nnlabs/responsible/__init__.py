"""What every lab answers of §11.16: explanations, subgroups, the 5% verdict, a model card.

``analysis`` runs the analyses of a lab's first split and the verdict; ``model_card``
builds and renders the card. Both read a lab's declaration but do not import the labs.
"""
