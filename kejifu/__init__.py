"""kejifu — planning and target-tracking workbook for county technology plans.

科技副 · 县级科技计划目标管理与进度跟踪工作簿。
"""

__version__ = "0.1.0"
